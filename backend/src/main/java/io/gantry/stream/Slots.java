package io.gantry.stream;

import io.gantry.web.TooManyStreamsException;
import java.util.HashMap;
import java.util.Map;

/** Open streams of one sort, per user and in all; taking one past either limit is a 429. */
final class Slots {
    private final String what;
    private final String perUserSetting;
    private final int perUser;
    private final String totalSetting;
    private final int total;
    private final Map<String, Integer> byUser = new HashMap<>();
    private int open;

    /** @param what the plural of the sort, for the problem's detail ("live streams") */
    Slots(String what, String perUserSetting, int perUser, String totalSetting, int total) {
        this.what = what;
        this.perUserSetting = perUserSetting;
        this.perUser = perUser;
        this.totalSetting = totalSetting;
        this.total = total;
    }

    synchronized void take(String user) {
        int mine = byUser.getOrDefault(user, 0);
        if (mine >= perUser) {
            throw new TooManyStreamsException(perUserSetting, perUser, "you have " + mine + " " + what
                    + " open, the most one user may have (" + perUserSetting + " = " + perUser
                    + "); close one and try again");
        }
        if (open >= total) {
            throw new TooManyStreamsException(totalSetting, total, "this server has " + open + " " + what
                    + " open, the most it serves (" + totalSetting + " = " + total + "); try again later");
        }
        byUser.put(user, mine + 1);
        open++;
    }

    synchronized void give(String user) {
        byUser.computeIfPresent(user, (u, n) -> n <= 1 ? null : n - 1);
        open--;
    }

    synchronized int open() {
        return open;
    }
}
