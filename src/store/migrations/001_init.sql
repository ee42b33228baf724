-- Initial schema. Portable between SQLite and PostgreSQL: the migration runner replaces
-- {{PK}} with the driver's auto-increment primary key and {{BLOB}} with its byte type.
-- Times are Unix seconds (BIGINT, UTC); calendar dates are 'YYYY-MM-DD' text, which sorts
-- correctly; booleans are INTEGER 0/1. Text primary keys say NOT NULL because SQLite,
-- unlike PostgreSQL, would otherwise accept NULL in them.

CREATE TABLE users (
    id            {{PK}},
    email         TEXT    NOT NULL UNIQUE,          -- trimmed, ASCII-lowercased
    password_hash TEXT    NOT NULL,                 -- Argon2id PHC string
    first_name    TEXT    NOT NULL,
    last_name     TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('teacher', 'student')),
    is_active     INTEGER NOT NULL DEFAULT 1,
    token_version BIGINT  NOT NULL DEFAULT 0,       -- bumped by a password change
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);

CREATE TABLE classes (
    id          {{PK}},
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    join_code   TEXT    NOT NULL UNIQUE,
    teacher_id  BIGINT  NOT NULL REFERENCES users (id),
    is_active   INTEGER NOT NULL DEFAULT 1,         -- 0 = archived: invisible to the API
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX classes_teacher ON classes (teacher_id);

-- Every join code ever handed out, so that a replaced or archived code is never reused.
CREATE TABLE join_codes (
    code      TEXT   NOT NULL PRIMARY KEY,
    class_id  BIGINT NOT NULL REFERENCES classes (id),
    issued_at BIGINT NOT NULL
);

CREATE TABLE enrollments (
    id          {{PK}},
    class_id    BIGINT  NOT NULL REFERENCES classes (id),
    student_id  BIGINT  NOT NULL REFERENCES users (id),
    is_active   INTEGER NOT NULL DEFAULT 1,         -- 0 after leave / removal
    enrolled_at BIGINT  NOT NULL,                   -- kept when re-activated
    updated_at  BIGINT  NOT NULL,
    UNIQUE (class_id, student_id)
);
CREATE INDEX enrollments_student ON enrollments (student_id);

-- Revoked token ids (logout), kept until the token would have expired anyway.
CREATE TABLE revoked_tokens (
    jti        TEXT   NOT NULL PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);

-- Failed logins for rate limiting, shared by every server process on the database.
CREATE TABLE login_failures (
    id          {{PK}},
    email       TEXT   NOT NULL,
    client_addr TEXT   NOT NULL,
    failed_at   BIGINT NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, failed_at);
CREATE INDEX login_failures_addr ON login_failures (client_addr, failed_at);

-- A student's enrolment summary (API.md "FaceData"); one row per student with face data.
CREATE TABLE face_data (
    id                    {{PK}},
    user_id               BIGINT NOT NULL UNIQUE REFERENCES users (id),
    upload_method         TEXT   NOT NULL
                          CHECK (upload_method IN ('single_image', 'multiple_images', 'orientations')),
    captured_orientations TEXT,                     -- JSON array, only for 'orientations'
    encoding_version      TEXT   NOT NULL,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);

-- One row per accepted enrolment image: its descriptor and 150x150 thumbnail.
CREATE TABLE face_descriptors (
    id              {{PK}},
    user_id         BIGINT  NOT NULL REFERENCES users (id),
    descriptor      {{BLOB}} NOT NULL,              -- 128 little-endian float32
    source          TEXT    NOT NULL
                    CHECK (source IN ('single_image', 'multiple_images', 'orientations')),
    orientation     TEXT    CHECK (orientation IN ('front', 'left', 'right', 'up', 'down')),
    face_size       INTEGER NOT NULL,
    detection_score DOUBLE PRECISION NOT NULL,
    thumbnail       {{BLOB}} NOT NULL,              -- JPEG
    raw_image_path  TEXT,                           -- only with FACE_IMAGE_STORE=1
    created_at      BIGINT  NOT NULL
);
CREATE INDEX face_descriptors_user ON face_descriptors (user_id, id);

CREATE TABLE attendance_sessions (
    id             {{PK}},
    class_id       BIGINT  NOT NULL REFERENCES classes (id),
    session_name   TEXT    NOT NULL,
    session_date   TEXT    NOT NULL,                -- YYYY-MM-DD
    created_by     BIGINT  NOT NULL REFERENCES users (id),
    total_students INTEGER NOT NULL DEFAULT 0,      -- see API.md "Session"
    is_active      INTEGER NOT NULL DEFAULT 1,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL
);
CREATE INDEX attendance_sessions_class ON attendance_sessions (class_id, session_date);

CREATE TABLE attendance_records (
    id                     {{PK}},
    session_id             BIGINT NOT NULL REFERENCES attendance_sessions (id),
    student_id             BIGINT NOT NULL REFERENCES users (id),
    status                 TEXT   NOT NULL CHECK (status IN ('present', 'absent', 'late')),
    recognition_method     TEXT   NOT NULL CHECK (recognition_method IN ('manual', 'ai_face', 'hybrid')),
    recognition_confidence DOUBLE PRECISION,
    marked_by              BIGINT NOT NULL REFERENCES users (id),
    marked_at              BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL,
    UNIQUE (session_id, student_id)
);
CREATE INDEX attendance_records_student ON attendance_records (student_id);
