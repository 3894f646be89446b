// The tag rules are pure and live in domain/build/tags.ts; this path is kept for the tests that import it.
export * from '../../domain/build/tags.js';
