/**
 * The relay's durable state in SQLite (Deno's built-in `node:sqlite`): install ids, streams
 * and recordings. Recording files live beside the database; this only holds their metadata.
 * Every write is committed at once, so a restart (or a crash) loses nothing.
 *
 * @module
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";

/** A stream as stored. */
export interface StreamRecord {
  /** Numeric id. */
  id: number;
  /** The install id that created it. */
  owner: string;
  /** The secret in the viewer URL (`/s/<publicToken>`). */
  publicToken: string;
  /** The secret in the producer URL (`/ws/S/<producerToken>`). */
  producerToken: string;
  /** Marked live. */
  live: boolean;
  /** Title. */
  title: string | null;
  /** Markdown description. */
  description: string | null;
  /** `public`, `unlisted` or `private`. */
  visibility: string;
  /** Live audio URL. */
  audioUrl: string | null;
  /** Viewer buffer in seconds. */
  bufferTime: number | null;
  /** `$TERM` of the producer. */
  termType: string | null;
  /** XTVERSION of the producer's terminal. */
  termVersion: string | null;
  /** `$SHELL` of the producer. */
  shell: string | null;
  /** Captured environment, as JSON text. */
  env: string | null;
  /** `User-Agent` of the last create/update. */
  userAgent: string | null;
  /** Id of the last event the relay applied. */
  lastEventId: number;
  /** Unix milliseconds of the last producer activity (or `live` change). */
  lastActivityAt: number;
  /** Unix milliseconds of creation. */
  createdAt: number;
}

/** The stream columns a create or update may set. */
export type StreamFields = Partial<
  Pick<
    StreamRecord,
    | "live"
    | "title"
    | "description"
    | "visibility"
    | "audioUrl"
    | "bufferTime"
    | "termType"
    | "termVersion"
    | "shell"
    | "env"
    | "userAgent"
  >
>;

/** A stored recording (an upload, or a saved live stream). */
export interface RecordingRecord {
  /** Numeric id. */
  id: number;
  /** The secret in its URL (`/a/<token>`), also its file name (`<token>.cast`). */
  token: string;
  /** The install id that uploaded it (null for a saved stream of a deleted owner). */
  owner: string | null;
  /** The stream it was saved from, if any. */
  streamId: number | null;
  /** The file name given at upload. */
  fileName: string;
  /** Size in bytes. */
  size: number;
  /** Title from the file header, if any. */
  title: string | null;
  /** Unix milliseconds. */
  createdAt: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS install_ids (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS streams (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  owner TEXT NOT NULL,
  public_token TEXT NOT NULL UNIQUE,
  producer_token TEXT NOT NULL UNIQUE,
  live INTEGER NOT NULL DEFAULT 0,
  title TEXT,
  description TEXT,
  visibility TEXT NOT NULL DEFAULT 'unlisted',
  audio_url TEXT,
  buffer_time REAL,
  term_type TEXT,
  term_version TEXT,
  shell TEXT,
  env TEXT,
  user_agent TEXT,
  last_event_id INTEGER NOT NULL DEFAULT 0,
  last_activity_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS streams_owner ON streams (owner, id);
CREATE TABLE IF NOT EXISTS recordings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  token TEXT NOT NULL UNIQUE,
  owner TEXT,
  stream_id INTEGER,
  file_name TEXT NOT NULL,
  size INTEGER NOT NULL,
  title TEXT,
  created_at INTEGER NOT NULL
);
`;

const COLUMNS: Record<keyof StreamFields, string> = {
  live: "live",
  title: "title",
  description: "description",
  visibility: "visibility",
  audioUrl: "audio_url",
  bufferTime: "buffer_time",
  termType: "term_type",
  termVersion: "term_version",
  shell: "shell",
  env: "env",
  userAgent: "user_agent",
};

type Row = Record<string, SQLInputValue>;

function _stream(row: Row): StreamRecord {
  return {
    id: Number(row.id),
    owner: String(row.owner),
    publicToken: String(row.public_token),
    producerToken: String(row.producer_token),
    live: Number(row.live) === 1,
    title: row.title as string | null,
    description: row.description as string | null,
    visibility: String(row.visibility),
    audioUrl: row.audio_url as string | null,
    bufferTime: row.buffer_time === null ? null : Number(row.buffer_time),
    termType: row.term_type as string | null,
    termVersion: row.term_version as string | null,
    shell: row.shell as string | null,
    env: row.env as string | null,
    userAgent: row.user_agent as string | null,
    lastEventId: Number(row.last_event_id),
    lastActivityAt: Number(row.last_activity_at),
    createdAt: Number(row.created_at),
  };
}

function _recording(row: Row): RecordingRecord {
  return {
    id: Number(row.id),
    token: String(row.token),
    owner: row.owner as string | null,
    streamId: row.stream_id === null ? null : Number(row.stream_id),
    fileName: String(row.file_name),
    size: Number(row.size),
    title: row.title as string | null,
    createdAt: Number(row.created_at),
  };
}

function _value(value: unknown): SQLInputValue {
  if (typeof value === "boolean") return value ? 1 : 0;
  return (value ?? null) as SQLInputValue;
}

/** The database is held by another process. */
export class StoreLockedError extends Error {
  /** A store that another process holds. */
  constructor(message: string) {
    super(message);
    this.name = "StoreLockedError";
  }
}

/**
 * The relay database. Opening creates the file and tables when missing.
 *
 * @example
 * ```ts
 * import { RelayStore } from "./store.ts";
 * using store = RelayStore.open(":memory:");
 * const s = store.createStream("f0e1d2c3-0000-4000-8000-000000000000", "tok…", "ptok…", {});
 * store.streamByPublicToken(s.publicToken)?.id === s.id; // true
 * ```
 */
export class RelayStore implements Disposable {
  readonly #db: DatabaseSync;
  #open = true;

  private constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /**
   * Opens (or creates) the database at `path` (`:memory:` for a throw-away one) and keeps it
   * locked while open: two relays on one data directory would split the live state.
   *
   * @throws {StoreLockedError} when another process has it open.
   */
  static open(path: string): RelayStore {
    const db = new DatabaseSync(path);
    try {
      // An exclusive lock, taken by a first write and kept until the database is closed.
      db.exec("PRAGMA locking_mode = EXCLUSIVE; PRAGMA busy_timeout = 0;");
      db.exec("PRAGMA journal_mode = WAL; BEGIN EXCLUSIVE; COMMIT;");
    } catch (error) {
      db.close();
      if (/locked|busy/i.test((error as Error).message)) {
        throw new StoreLockedError(
          `${path} is in use by another process (another asciirec serve?)`,
        );
      }
      throw error;
    }
    db.exec("PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
    db.exec(SCHEMA);
    return new RelayStore(db);
  }

  /** Records that an install id has been seen (idempotent). */
  registerInstallId(id: string): void {
    this.#db.prepare("INSERT OR IGNORE INTO install_ids (id, created_at) VALUES (?, ?)")
      .run(id, Date.now());
  }

  /** Creates a stream owned by `owner` with the given tokens and fields. */
  createStream(
    owner: string,
    publicToken: string,
    producerToken: string,
    fields: StreamFields,
  ): StreamRecord {
    const now = Date.now();
    const names = ["owner", "public_token", "producer_token", "last_activity_at", "created_at"];
    const values: SQLInputValue[] = [owner, publicToken, producerToken, now, now];
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      names.push(COLUMNS[key as keyof StreamFields]);
      values.push(_value(value));
    }
    const { lastInsertRowid } = this.#db.prepare(
      `INSERT INTO streams (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`,
    ).run(...values);
    return this.streamById(Number(lastInsertRowid))!;
  }

  /**
   * Updates the given fields of a stream; setting `live` also refreshes its activity time
   * (so a stream marked live again is not swept before its producer connects).
   */
  updateStream(id: number, fields: StreamFields): StreamRecord | undefined {
    const sets: string[] = [];
    const values: SQLInputValue[] = [];
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      sets.push(`${COLUMNS[key as keyof StreamFields]} = ?`);
      values.push(_value(value));
    }
    if (fields.live !== undefined) {
      sets.push("last_activity_at = ?");
      values.push(Date.now());
    }
    if (sets.length > 0) {
      this.#db.prepare(`UPDATE streams SET ${sets.join(", ")} WHERE id = ?`).run(...values, id);
    }
    return this.streamById(id);
  }

  /** Notes producer activity: the time now and the last applied event id. */
  touchStream(id: number, lastEventId: number): void {
    this.#db.prepare("UPDATE streams SET last_activity_at = ?, last_event_id = ? WHERE id = ?")
      .run(Date.now(), lastEventId, id);
  }

  /** Deletes a stream; `false` if there was none. */
  deleteStream(id: number): boolean {
    return Number(this.#db.prepare("DELETE FROM streams WHERE id = ?").run(id).changes) > 0;
  }

  /** The stream with this numeric id. */
  streamById(id: number): StreamRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM streams WHERE id = ?").get(id);
    return row ? _stream(row as Row) : undefined;
  }

  /** The stream with this public (viewer) token. */
  streamByPublicToken(token: string): StreamRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM streams WHERE public_token = ?").get(token);
    return row ? _stream(row as Row) : undefined;
  }

  /** The stream with this producer token. */
  streamByProducerToken(token: string): StreamRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM streams WHERE producer_token = ?").get(token);
    return row ? _stream(row as Row) : undefined;
  }

  /**
   * `owner`'s streams in ascending id, after `afterId`, whose public token starts with
   * `prefix` (case-sensitive), at most `limit`.
   */
  listStreams(owner: string, prefix: string, afterId: number, limit: number): StreamRecord[] {
    // substr() rather than LIKE: tokens are case-sensitive and LIKE is not.
    return this.#db.prepare(
      "SELECT * FROM streams WHERE owner = ? AND id > ? AND substr(public_token, 1, ?) = ? " +
        "ORDER BY id LIMIT ?",
    ).all(owner, afterId, prefix.length, prefix, limit).map((r) => _stream(r as Row));
  }

  /** How many of `owner`'s streams are marked live. */
  countLiveStreams(owner: string): number {
    const row = this.#db.prepare("SELECT count(*) AS n FROM streams WHERE owner = ? AND live = 1")
      .get(owner) as Row;
    return Number(row.n);
  }

  /** Every stream marked live. */
  liveStreams(): StreamRecord[] {
    return this.#db.prepare("SELECT * FROM streams WHERE live = 1 ORDER BY id").all()
      .map((r) => _stream(r as Row));
  }

  /** Adds a recording's metadata (its file must already be in place). */
  addRecording(fields: Omit<RecordingRecord, "id" | "createdAt">): RecordingRecord {
    const { lastInsertRowid } = this.#db.prepare(
      "INSERT INTO recordings (token, owner, stream_id, file_name, size, title, created_at) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
    ).run(
      fields.token,
      fields.owner,
      fields.streamId,
      fields.fileName,
      fields.size,
      fields.title,
      Date.now(),
    );
    const row = this.#db.prepare("SELECT * FROM recordings WHERE id = ?").get(
      Number(lastInsertRowid),
    );
    return _recording(row as Row);
  }

  /** The recording with this URL token. */
  recordingByToken(token: string): RecordingRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM recordings WHERE token = ?").get(token);
    return row ? _recording(row as Row) : undefined;
  }

  /** Closes the database (idempotent). */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#db.close();
  }

  /** Same as {@linkcode close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}
