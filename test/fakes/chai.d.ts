// chai 6 ships no type declarations and @types/chai is not a dependency; without this every
// test importing chai fails `tsc --noEmit` (TS7016). Untyped on purpose: a partial hand-written
// API would reject valid assertions.
declare module 'chai';
