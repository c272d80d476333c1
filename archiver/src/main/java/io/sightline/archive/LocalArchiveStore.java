package io.sightline.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The archive in a local directory. A file is copied next to its place under a hidden
 * name, forced to disk, and renamed into place atomically, so a reader (or a restarted
 * archiver) sees it whole or not at all.
 */
public final class LocalArchiveStore implements ArchiveStore {

    private static final String INCOMING = ".incoming";

    private final Path root;

    public LocalArchiveStore(Path root) throws IOException {
        this.root = root.toAbsolutePath();
        Files.createDirectories(this.root.resolve(INCOMING));
        // What a crash left half-copied was never visible: it goes.
        try (Stream<Path> leftovers = Files.list(this.root.resolve(INCOMING))) {
            for (Path p : leftovers.toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public void put(String name, Path file) throws IOException {
        Path target = root.resolve(name);
        Files.createDirectories(target.getParent());
        Path incoming = root.resolve(INCOMING).resolve(UUID.randomUUID() + ".parquet");
        Files.copy(file, incoming, StandardCopyOption.REPLACE_EXISTING);
        try (var channel = java.nio.channels.FileChannel.open(incoming, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(incoming, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public List<String> list() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(n -> !n.startsWith(INCOMING + "/"))
                    .sorted()
                    .toList();
        }
    }

    @Override
    public void fetch(String name, Path into) throws IOException {
        Files.copy(root.resolve(name), into, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void delete(String name) throws IOException {
        Path file = root.resolve(name);
        Files.deleteIfExists(file);
        // An hour whose last file went leaves no empty directories behind.
        for (Path dir = file.getParent(); dir != null && !dir.equals(root); dir = dir.getParent()) {
            try (Stream<Path> rest = Files.list(dir)) {
                if (rest.findAny().isPresent()) {
                    break;
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    @Override
    public String location() {
        return root.toString();
    }
}
