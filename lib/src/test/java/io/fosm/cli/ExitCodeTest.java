package io.fosm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fosm.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/** The failure contract decides by fosm's own exception types, never by the JDK type of a library's exception. */
class ExitCodeTest {

    @Test
    void usageAndConfigurationErrorsAreTwo() {
        assertEquals(2, ExitCode.of(new UsageException("Cannot parse --x: expected a number, got 'y'")));
        assertEquals(2, ExitCode.of(new ConfigException("Invalid gold.hop_seconds (from --conf): expected ...")));
    }

    @Test
    void everyOtherFailureIsThreeWhateverItsType() {
        // an IllegalArgumentException from inside Spark or MLlib is not a usage error
        IllegalArgumentException mllib = new IllegalArgumentException("requirement failed: Column features must be of"
                + " type vector");
        assertEquals(3, ExitCode.of(mllib));
        assertEquals(3, ExitCode.of(new SparkException("Job aborted due to stage failure", mllib)));
        assertEquals(3, ExitCode.of(new IllegalStateException("Cannot score: no champion")));
        assertEquals(3, ExitCode.of(new java.io.IOException("disk full")));
        assertEquals(3, ExitCode.of(new OutOfMemoryError("Java heap space")));
        // a usage error wrapped by a library is the library's failure
        assertEquals(3, ExitCode.of(new RuntimeException(new UsageException("x"))));
    }

    @Test
    void theFirstLineNamesTheRootCause() {
        Throwable task = new RuntimeException("file:/lake/part-0.parquet is not a Parquet file. Expected magic number"
                + " at tail, but found [1, 2, 3, 4]");
        SparkException job = new SparkException("Job aborted due to stage failure: Task 0 in stage 3.0 failed 1 times,"
                + " most recent failure: Lost task 0.0\nDriver stacktrace:\n\tat ...", new SparkException(
                        "[FAILED_READ_FILE] Encountered error while reading file part-0.parquet", task));
        assertEquals("Cannot complete: java.lang.RuntimeException: file:/lake/part-0.parquet is not a Parquet file."
                + " Expected magic number at tail, but found [1, 2, 3, 4]", ExitCode.firstLine(job));
        // fosm's own wrapping message comes first, with the root cause after it
        assertEquals("Cannot continue the stream: query failed (root cause: java.lang.RuntimeException: file:/lake/"
                + "part-0.parquet is not a Parquet file. Expected magic number at tail, but found [1, 2, 3, 4])",
                ExitCode.firstLine(new IllegalStateException("Cannot continue the stream: query failed", job)));
        assertEquals("Cannot score: no champion", ExitCode.firstLine(new IllegalStateException("Cannot score: no"
                + " champion")));
        assertEquals("Cannot complete: java.lang.NullPointerException", ExitCode.firstLine(new NullPointerException()));
        assertEquals("Invalid a.b (from --conf): expected x, got 'y'",
                ExitCode.firstLine(new ConfigException("Invalid a.b (from --conf): expected x, got 'y'")));
    }

    @Test
    void aNetworkFailureNamesThePeerTheClientWasTalkingTo() {
        // the chain of an S3A write to an endpoint that went down (hadoop-aws, AWS SDK, its Apache HTTP client)
        java.net.ConnectException refused = new java.net.ConnectException("Connection refused");
        RuntimeException http = new RuntimeException("Connect to 127.0.0.1:35847 [/127.0.0.1] failed: Connection"
                + " refused", refused);
        RuntimeException sdk = new RuntimeException("Unable to execute HTTP request: Connect to 127.0.0.1:35847"
                + " [/127.0.0.1] failed: Connection refused", http);
        RuntimeException delta = new RuntimeException("[DELTA_CANNOT_CREATE_LOG_PATH] Cannot create s3a://b/lake",
                new java.io.IOException("PUT 0-byte object on lake: " + sdk.getMessage(), sdk));
        assertEquals("Cannot complete: java.net.ConnectException: Connect to 127.0.0.1:35847 [/127.0.0.1] failed:"
                + " Connection refused", ExitCode.firstLine(delta));
        // no wrapper says where: the root as it is
        assertEquals("Cannot complete: java.net.ConnectException: Connection refused",
                ExitCode.firstLine(new RuntimeException("failed", refused)));
    }

    @Test
    void theReportPutsTheReasonFirstAndTheStackTraceAfterIt() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ExitCode.report("fosm gold", new SparkException("Job aborted\nmore",
                new ArithmeticException("/ by zero")), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(3, code);
        String[] lines = err.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals("fosm gold: Cannot complete: java.lang.ArithmeticException: / by zero", lines[0]);
        assertTrue(lines[1].startsWith("org.apache.spark.SparkException: Job aborted"), lines[1]);
        err.reset();
        assertEquals(2, ExitCode.report("fosm gold", new UsageException("Cannot parse --date: expected YYYY-MM-DD,"
                + " got 'x'"), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals("fosm gold: Cannot parse --date: expected YYYY-MM-DD, got 'x'\n",
                err.toString(StandardCharsets.UTF_8), "a usage error is one line, no stack trace");
    }
}
