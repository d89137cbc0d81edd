package dev.rali.app.views.archfixtures;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** Breaks the "no JDBC in the app" rule on purpose (AppArchitectureTest); never used. */
public final class JdbcInAView {
    private JdbcInAView() { }

    static Connection open(String file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }
}
