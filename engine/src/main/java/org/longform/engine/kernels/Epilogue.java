package org.longform.engine.kernels;

/** What a matrix product does with each result: store it, add it to what is there, or store GELU of it. */
public enum Epilogue {
    STORE,
    ADD,
    GELU
}
