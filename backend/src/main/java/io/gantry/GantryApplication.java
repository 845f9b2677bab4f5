package io.gantry;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class GantryApplication {
    public static void main(String[] args) {
        SpringApplication.run(GantryApplication.class, args);
    }
}
