-- The retention sweep (API.md §16.1) runs in one process at a time. PostgreSQL uses a
-- session advisory lock; SQLite, which has none, takes this lease row.
CREATE TABLE sweep_lease (
    id     INTEGER NOT NULL PRIMARY KEY,
    holder TEXT    NOT NULL DEFAULT '',
    until  BIGINT  NOT NULL DEFAULT 0
);
INSERT INTO sweep_lease (id) VALUES (1);
-- Finding expired uploads and the face data of students who left.
CREATE INDEX face_descriptors_created ON face_descriptors (created_at);
CREATE INDEX login_failures_time ON login_failures (failed_at);
