package io.sightline.archive;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Where committed files live: a directory, or a bucket of an S3-compatible store. */
public interface ArchiveStore {

    /** Makes {@code file} visible under {@code name} at once, whole or not at all; replaces a file of that name. */
    void put(String name, Path file) throws IOException;

    /** Every file's name, relative to the archive's root. */
    List<String> list() throws IOException;

    /** Copies the file {@code name} to {@code into}. */
    void fetch(String name, Path into) throws IOException;

    void delete(String name) throws IOException;

    /** Where the archive is, for logs and health answers. */
    String location();
}
