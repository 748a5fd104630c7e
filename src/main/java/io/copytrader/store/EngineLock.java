package io.copytrader.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * One engine at a time on a store (one instance; several instances share a store through claims, docs/scale-out.md).
 * Two engines on one store would each admit what the other has not, keep a book that knows only its own orders (so
 * size sells and exposure against half the picture) and record outcomes over each other's: at a stop, one records as
 * abandoned a trade the other is placing. That happens without anyone meaning it: a supervisor starts a new engine
 * while the old one is still stopping gracefully (up to the shutdown timeout), for instance after a kill -9 of the
 * launcher, whose engine then stops gracefully on its own.
 *
 * <p>The lock is one the operating system or the database drops with its holder, so a killed engine never leaves it
 * behind: on SQLite an exclusive lock on the file {@code <database>.lock} beside the database; on PostgreSQL a
 * session advisory lock on the store's schema, held by a connection of its own (a server that ends that session, on
 * a restart or an idle-session timeout, ends the lock with it). A store in memory is nobody else's.
 */
public abstract class EngineLock implements AutoCloseable {
    /**
     * PostgreSQL advisory lock: this key ("CTrd" in ASCII) and the hash of the store's schema, so engines whose stores
     * are two schemas of one database do not hold each other up.
     */
    static final int POSTGRES_KEY = 0x43547264;

    private static final long POLL_MILLIS = 200;

    /** Thrown when the store stayed locked by another engine for the whole wait. */
    public static final class HeldElsewhere extends RuntimeException {
        HeldElsewhere(String message) {
            super(message);
        }
    }

    /** Releases the lock; quietly (the process may be stopping for a reason of its own). */
    @Override
    public abstract void close();

    /** What {@link #check()} found. */
    public enum Check {
        /** Held, as since it was taken. */
        HELD,
        /** Lost (its database session ended; its lock file deleted or replaced), and taken again. */
        RETAKEN,
        /** Lost, and it cannot be taken again now (the database out of reach): the next check tries. */
        UNKNOWN,
        /** Lost, and another engine holds it now. */
        TAKEN_ELSEWHERE
    }

    /**
     * Whether this engine still holds the lock. A PostgreSQL advisory lock ends with the session that holds it, when
     * the server ends it (a restart, a failover, an idle-session timeout); a file lock lasts as long as the process,
     * but on the file it locked, which may have been deleted or replaced since. Either way another engine could take
     * the lock while this one goes on writing.
     */
    public Check check() {
        return Check.HELD;
    }

    /** True when the lock can be lost without this engine letting it go: worth a {@link #check()}. */
    public boolean canBeLost() {
        return false;
    }

    /**
     * Takes the store's engine lock, waiting up to {@code wait} for another engine to let it go (one that is stopping
     * lets it go when it has stopped).
     *
     * @param waiting told once, with a line to log, when the lock is held by another engine and this one waits
     * @throws HeldElsewhere when it is still held after the wait
     */
    public static EngineLock acquire(StoreSettings settings, Duration wait, Consumer<String> waiting) {
        if (settings.isMemory()) {
            return new EngineLock() {
                @Override
                public void close() {
                }
            };
        }
        Attempt attempt = Dialect.fromUrl(settings.url()) == Dialect.SQLITE
                ? new FileAttempt(lockFile(settings.url())) : new AdvisoryAttempt(settings);
        long deadline = System.nanoTime() + wait.toNanos();
        boolean told = false;
        try {
            while (true) {
                EngineLock lock = attempt.tryLock();
                if (lock != null) {
                    return lock;
                }
                if (!told) {
                    waiting.accept("Another CopyTrader engine is using the store " + attempt.describe()
                            + "; waiting up to " + wait.toSeconds() + " s for it to stop");
                    told = true;
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new HeldElsewhere("another CopyTrader engine is using the store " + attempt.describe()
                            + " and did not stop within " + wait.toSeconds() + " s; stop it first (one engine per store;"
                            + " several engines share a PostgreSQL store as instances of one queue: docs/scale-out.md)");
                }
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new HeldElsewhere("interrupted while waiting for the store " + attempt.describe());
                }
            }
        } finally {
            attempt.giveUp();
        }
    }

    /** jdbc:sqlite:data/copytrader.db -> data/copytrader.db.lock */
    static Path lockFile(String url) {
        Path db = StoreFactory.sqliteFile(url);
        return db.resolveSibling(db.getFileName() + ".lock");
    }

    private interface Attempt {
        /** The lock, or null when another engine holds it. */
        EngineLock tryLock();

        /** The store, as a message names it (no password). */
        String describe();

        /** Frees what failed attempts kept (not a lock handed out). */
        void giveUp();
    }

    /** The file's identity (device and inode on Unix), or null when it is not there. */
    private static Object identity(Path file) {
        try {
            return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (IOException gone) {
            return null;
        }
    }

    /**
     * SQLite's lock: a lock on the open file {@code <database>.lock}. It lasts as long as the process, but only on that
     * file: one deleted (by an operator tidying what looks like a stale lock file) or replaced leaves the lock on a file
     * no other engine opens, and a second engine started then creates a new one, locks it and copies beside this one.
     * {@link #check()} sees the name no longer leads to the file locked, and locks the file there now.
     */
    private static final class FileHeld extends EngineLock {
        private final FileAttempt attempt;
        private FileChannel channel;
        private FileLock lock;
        private Object identity;
        private boolean closed;

        FileHeld(FileAttempt attempt, FileChannel channel, FileLock lock, Object identity) {
            this.attempt = attempt;
            this.channel = channel;
            this.lock = lock;
            this.identity = identity;
        }

        @Override
        public synchronized void close() {
            closed = true;
            release();
        }

        private void release() {
            try {
                lock.release();
            } catch (IOException ignored) {
                // closing the channel releases it too
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }

        @Override
        public boolean canBeLost() {
            return identity != null; // a file system without file keys: nothing to compare
        }

        @Override
        public synchronized Check check() {
            if (closed || identity == null || identity.equals(identity(attempt.file))) {
                return Check.HELD;
            }
            // the name leads to another file now, or to none: lock the one there (created if need be)
            EngineLock again;
            try {
                again = attempt.tryLock();
            } catch (RuntimeException e) {
                return Check.UNKNOWN;
            }
            if (again == null) {
                return Check.TAKEN_ELSEWHERE;
            }
            FileHeld taken = (FileHeld) again;
            release();
            channel = taken.channel;
            lock = taken.lock;
            identity = taken.identity;
            return Check.RETAKEN;
        }
    }

    /** SQLite: an exclusive lock on a file beside the database, held by an open channel. */
    private static final class FileAttempt implements Attempt {
        private final Path file;

        FileAttempt(Path file) {
            this.file = file;
        }

        @Override
        public EngineLock tryLock() {
            FileChannel channel = null;
            try {
                Path parent = file.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException sameProcess) {
                    lock = null; // another engine of this process holds it
                }
                if (lock == null) {
                    channel.close();
                    return null;
                }
                // who holds it, for the operator (the lock is what counts, not the file's content)
                channel.truncate(0);
                channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
                Object identity = identity(file);
                return new FileHeld(this, channel, lock, identity);
            } catch (ClosedByInterruptException interrupted) {
                // a stop asked for as the lock was being taken (the channel is interruptible); the interrupt is kept
                closeQuietly(channel);
                throw new HeldElsewhere("interrupted while waiting for the store " + describe());
            } catch (IOException e) {
                closeQuietly(channel);
                throw new StoreException("could not lock the store's file " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public String describe() {
            String holder = "";
            try {
                String pid = Files.readString(file, StandardCharsets.US_ASCII).trim();
                if (pid.matches("\\d{1,10}")) {
                    holder = " (process " + pid + ")";
                }
            } catch (IOException | RuntimeException ignored) {
                // the holder's pid is a courtesy
            }
            return file.resolveSibling(file.getFileName().toString().replaceFirst("\\.lock$", "")) + holder;
        }

        @Override
        public void giveUp() {
        }

        private static void closeQuietly(FileChannel channel) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
        }
    }

    /** A connection of the lock's own, with the pool's timeouts (a silent server must not hold a check for ever). */
    private static Connection connect(StoreSettings settings) throws SQLException {
        Properties properties = new Properties();
        StoreFactory.POSTGRES_TIMEOUTS.forEach(properties::setProperty);
        if (settings.user() != null) {
            properties.setProperty("user", settings.user());
        }
        if (settings.password() != null) {
            properties.setProperty("password", settings.password());
        }
        return DriverManager.getConnection(settings.url(), properties);
    }

    private static boolean tryAdvisoryLock(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT pg_try_advisory_lock(?, hashtext(current_schema()))")) {
            ps.setInt(1, POSTGRES_KEY);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** PostgreSQL's lock, held by its session: {@link #check()} asks the session, and takes the lock again if it ended. */
    private static final class AdvisoryLock extends EngineLock {
        private final StoreSettings settings;
        private Connection held;
        private boolean closed;

        AdvisoryLock(StoreSettings settings, Connection held) {
            this.settings = settings;
            this.held = held;
        }

        @Override
        public synchronized void close() {
            closed = true;
            closeQuietly();
        }

        private void closeQuietly() {
            if (held != null) {
                try {
                    held.close(); // ends the session, and its advisory lock with it
                } catch (SQLException ignored) {
                    // a connection that failed has lost its session and its lock already
                }
                held = null;
            }
        }

        @Override
        public boolean canBeLost() {
            return true;
        }

        @Override
        public synchronized Check check() {
            if (closed) {
                return Check.HELD; // let go on purpose: nothing to watch
            }
            if (held != null) {
                try (Statement alive = held.createStatement()) {
                    alive.execute("SELECT 1");
                    return Check.HELD; // the session lives, and a session's advisory lock with it
                } catch (SQLException sessionEnded) {
                    closeQuietly();
                }
            }
            try {
                Connection again = connect(settings);
                boolean taken;
                try {
                    taken = tryAdvisoryLock(again);
                } catch (SQLException e) {
                    again.close();
                    throw e;
                }
                if (!taken) {
                    again.close();
                    return Check.TAKEN_ELSEWHERE;
                }
                held = again;
                return Check.RETAKEN;
            } catch (SQLException unreachable) {
                return Check.UNKNOWN;
            }
        }
    }

    /** PostgreSQL: a session advisory lock, held by a connection of its own for as long as the engine runs. */
    private static final class AdvisoryAttempt implements Attempt {
        private final StoreSettings settings;
        private Connection connection;

        AdvisoryAttempt(StoreSettings settings) {
            this.settings = settings;
        }

        @Override
        public EngineLock tryLock() {
            try {
                if (connection == null || connection.isClosed()) {
                    connection = connect(settings);
                }
                if (!tryAdvisoryLock(connection)) {
                    return null;
                }
                Connection held = connection;
                connection = null; // handed out: giveUp leaves it open
                return new AdvisoryLock(settings, held);
            } catch (SQLException e) {
                giveUp();
                throw new StoreException("could not lock the store " + describe() + ": " + e.getMessage(), e);
            }
        }

        @Override
        public String describe() {
            return settings.url().replaceAll("(?i)password=[^&;]*", "password=****");
        }

        @Override
        public void giveUp() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // giving up anyway
                }
                connection = null;
            }
        }
    }
}
