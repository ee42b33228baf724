-- Check-in codes (API.md §14): one window per session with its random secret, the wrong
-- codes of the rate limit (shared by every server process), and `checkin` as a
-- recognition method.

-- Widening the method CHECK (see 005 for why SQLite rebuilds; nothing points at
-- attendance_records, the foreign keys stay on).
{{SQLITE}}
CREATE TABLE attendance_records_rebuilt (
    id                     {{PK}},
    session_id             BIGINT NOT NULL REFERENCES attendance_sessions (id),
    student_id             BIGINT NOT NULL REFERENCES users (id),
    status                 TEXT   NOT NULL CHECK (status IN ('present', 'absent', 'late')),
    recognition_method     TEXT   NOT NULL
                           CHECK (recognition_method IN ('manual', 'ai_face', 'hybrid', 'checkin')),
    recognition_confidence DOUBLE PRECISION,
    marked_by              BIGINT NOT NULL REFERENCES users (id),
    marked_at              BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL,
    UNIQUE (session_id, student_id)
);
INSERT INTO attendance_records_rebuilt (id, session_id, student_id, status, recognition_method,
                                        recognition_confidence, marked_by, marked_at, updated_at)
    SELECT id, session_id, student_id, status, recognition_method, recognition_confidence,
           marked_by, marked_at, updated_at FROM attendance_records;
DROP TABLE attendance_records;
ALTER TABLE attendance_records_rebuilt RENAME TO attendance_records;
CREATE INDEX attendance_records_student ON attendance_records (student_id);
{{END}}
{{PG}}
ALTER TABLE attendance_records DROP CONSTRAINT attendance_records_recognition_method_check;
ALTER TABLE attendance_records ADD CONSTRAINT attendance_records_recognition_method_check
    CHECK (recognition_method IN ('manual', 'ai_face', 'hybrid', 'checkin'));
{{END}}
-- Counting a session's check-ins (Checkin.checked_in).
CREATE INDEX attendance_records_method ON attendance_records (session_id, recognition_method);

-- The open window of a session; closing deletes it, and one past closes_at is closed.
CREATE TABLE checkin_windows (
    session_id BIGINT  NOT NULL PRIMARY KEY REFERENCES attendance_sessions (id),
    secret     {{BLOB}} NOT NULL,                   -- 32 random bytes, the HMAC key
    opens_at   BIGINT  NOT NULL,
    closes_at  BIGINT  NOT NULL,
    late_after BIGINT,                              -- NULL: never late
    opened_by  BIGINT  NOT NULL REFERENCES users (id)
);
CREATE INDEX checkin_windows_closes ON checkin_windows (closes_at);

CREATE TABLE checkin_failures (
    id         {{PK}},
    session_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    failed_at  BIGINT NOT NULL
);
CREATE INDEX checkin_failures_key ON checkin_failures (session_id, student_id, failed_at);
