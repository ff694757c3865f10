package dev.tollgate.access;

/** A key just created: the only moment its secret exists outside the holder's hands. */
public record IssuedKey(ClientKey key, String secret) {
}
