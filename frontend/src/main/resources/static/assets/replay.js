// Plays an asciicast v2 recording (https://docs.asciinema.org/manual/asciicast/v2/) in an xterm.js terminal: the
// header line gives the terminal's size, each following line is [seconds, "o" | "r", data]. Output is written at
// its recorded time (divided by the speed); "r" resizes the terminal. Nothing is sent anywhere.
'use strict';
const Replay = (() => {
  /** Parses the file's text: {header, events}; throws on a line that is not JSON. */
  function parse(text) {
    const lines = text.split('\n').filter(l => l.trim());
    if (!lines.length) throw new Error('the recording is empty');
    const header = JSON.parse(lines[0]);
    if (header.version !== 2) throw new Error(`asciicast version ${header.version} is not supported (only 2)`);
    const events = lines.slice(1).map(l => JSON.parse(l)).filter(e => Array.isArray(e) && (e[1] === 'o' || e[1] === 'r'));
    return { header, events };
  }

  /**
   * A player of `cast` ({header, events}) into a new terminal in `box`; `onState({state, at, duration})` hears
   * every change ("playing", "paused", "ended") and the time reached. Returns {play, pause, restart, speed, dispose}.
   */
  function player(box, cast, onState) {
    const term = new Terminal({
      cols: cast.header.width || 80, rows: cast.header.height || 24, scrollback: 5000, disableStdin: true,
      fontSize: 13, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
    });
    term.open(box);
    const events = cast.events;
    const duration = events.length ? events[events.length - 1][0] : 0;
    let index = 0;
    let at = 0; // recording seconds reached while paused
    let rate = 1;
    let startedAt = null; // performance.now() at recording time 0, scaled, while playing
    let timer = null;

    const now = () => startedAt === null ? at : (performance.now() - startedAt) * rate / 1000;
    const report = state => onState && onState({ state, at: Math.min(now(), duration), duration });

    function apply([, code, data]) {
      if (code === 'o') term.write(data);
      else {
        const [cols, rows] = String(data).split('x').map(Number);
        if (cols > 0 && rows > 0) term.resize(cols, rows);
      }
    }

    function tick() {
      timer = null;
      const t = now();
      while (index < events.length && events[index][0] <= t) apply(events[index++]);
      if (index >= events.length) {
        at = duration;
        startedAt = null;
        report('ended');
        return;
      }
      report('playing');
      // at most a second between reports, so that the time shown moves during long pauses of the recording
      timer = setTimeout(tick, Math.min((events[index][0] - t) * 1000 / rate, 1000));
    }

    function play() {
      if (startedAt !== null) return;
      if (index >= events.length) restart();
      startedAt = performance.now() - at * 1000 / rate;
      tick();
    }

    function pause() {
      if (startedAt === null) return;
      at = now();
      startedAt = null;
      clearTimeout(timer);
      timer = null;
      report('paused');
    }

    function restart() {
      const playing = startedAt !== null;
      clearTimeout(timer);
      timer = null;
      term.reset();
      term.resize(cast.header.width || 80, cast.header.height || 24);
      index = 0;
      at = 0;
      startedAt = null;
      if (playing) play(); else report('paused');
    }

    function speed(value) {
      const playing = startedAt !== null;
      if (playing) at = now();
      rate = value;
      if (playing) {
        clearTimeout(timer);
        startedAt = performance.now() - at * 1000 / rate;
        tick();
      }
    }

    function dispose() {
      clearTimeout(timer);
      startedAt = null;
      term.dispose();
    }

    report('paused');
    return { play, pause, restart, speed, dispose, playing: () => startedAt !== null };
  }

  return { parse, player };
})();
