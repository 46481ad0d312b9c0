// The syntax-neutral form both manifest syntaxes are read into: a tree of keyed entries with
// positions. One builder (build-app.ts) gives it meaning, so both syntaxes mean the same thing.
import type { Pos } from './model';
import type { Token } from './tokenize';

export interface Entry {
  key: string;
  keyPos: Pos;
  /** The words after the key. */
  args: Token[];
  /** The text after the key as written (comment removed, trimmed); one quoted word is unquoted. */
  rest: string;
  restPos: Pos;
  /** The entries of the block this entry opens, or null when it opens none. */
  children: Entry[] | null;
}
