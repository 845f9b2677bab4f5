package io.gantry.web;

import java.io.IOException;

/** A request body above {@link RequestSizeLimitFilter#MAX_BODY_BYTES}; mapped to 413. */
public class PayloadTooLargeException extends IOException {
    PayloadTooLargeException(long limit) {
        super("the request body is larger than " + limit + " bytes");
    }
}
