package io.sightline.privacy.erasure;

import io.sightline.schemas.avro.SubjectType;
import java.util.List;

/**
 * A key-value store that holds per-user state, and the keys a data subject's state has in
 * it. Erasing deletes those keys through the store, so the changelog gets tombstones and a
 * restored store stays erased.
 *
 * @param store the state store's name
 * @param keys the keys a subject's state has in the store (none when the store holds no state of that kind of subject)
 * @param publishedTo the compacted topic the store's content is also published to, which then gets the
 *     tombstones too; null if none
 */
public record ErasedStore(String store, SubjectKeys keys, String publishedTo) {

    /** The keys a data subject's state has in one store. */
    @FunctionalInterface
    public interface SubjectKeys {
        List<String> of(SubjectType type, String subjectId);
    }

    /** A store keyed by the user an event belongs to: its user id, or its anonymous id before one is known. */
    public static ErasedStore byUserKey(String store) {
        return new ErasedStore(store, (type, id) -> List.of(id), null);
    }

    /** A store keyed by device (anonymous id). */
    public static ErasedStore byDevice(String store) {
        return new ErasedStore(store, (type, id) -> type == SubjectType.ANONYMOUS_ID ? List.of(id) : List.of(), null);
    }

    /** The same store, whose content is also published to a compacted topic that must forget the subject too. */
    public ErasedStore publishedTo(String topic) {
        return new ErasedStore(store, keys, topic);
    }
}
