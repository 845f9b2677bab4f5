package io.gantry.search;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class SearchApiController {
    private final Search search;

    SearchApiController(Search search) {
        this.search = search;
    }

    /** Anything the caller may see whose name, label value, image, native id or id matches {@code q}, best first. */
    @GetMapping("/api/v1/search")
    SearchResults search(@RequestParam(required = false) String q, @RequestParam(required = false) Integer limit) {
        return search.find(SearchQuery.of(q, limit));
    }
}
