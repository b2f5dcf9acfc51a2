/** Shapes shared by every context's API: a contract module (docs/ARCHITECTURE.md, Layout). */

/** What JSON makes of a server shape: its `Date` fields arrive as ISO strings. */
export type Serialized<T> =
  T extends Date ? string
  : T extends ReadonlyArray<infer Item> ? Array<Serialized<Item>>
  : T extends object ? { [K in keyof T]: Serialized<T[K]> }
  : T;
