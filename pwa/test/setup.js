// Every test gets a fresh, empty IndexedDB (fake-indexeddb).
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach } from 'vitest';
import { closeDb } from '../src/store/db.js';

beforeEach(async () => {
  await closeDb();
  globalThis.indexedDB = new IDBFactory();
});
