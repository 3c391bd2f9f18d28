import type { Db, DbOrTx } from "./index";

/**
 * A hot query built once per connection pool: drizzle renders its SQL when it is prepared and
 * each call only binds the placeholders (postgres-js keeps the server-side statement per
 * connection). Inside a transaction the query is built per call, on that transaction.
 */
export function preparedQuery<Q>(build: (db: DbOrTx) => Q): (db: DbOrTx) => Q {
  // Keyed by the pool object: tests and benches switch databases, and a new pool builds anew.
  const onPool = new WeakMap<Db, Q>();
  return (db) => {
    if (!isPool(db)) return build(db);
    let q = onPool.get(db);
    if (q === undefined) onPool.set(db, (q = build(db)));
    return q;
  };
}

/** The pool (not a transaction): only the pool carries its postgres-js client. */
function isPool(db: DbOrTx): db is Db {
  return "$client" in db;
}
