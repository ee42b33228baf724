-- Administration (API.md §12): the `admin` role and an account status. Existing accounts
-- become `active`, or `deactivated` where is_active was already 0; is_active stays and
-- is kept equal to (status <> 'deactivated'), so authentication reads one column.

-- Widening the role CHECK. SQLite cannot alter a constraint: the table is rebuilt with
-- its documented procedure (foreign keys off meanwhile, checked before the commit).
-- Every column users has at this point is copied.
{{SQLITE_FOREIGN_KEYS_OFF}}
{{SQLITE}}
CREATE TABLE users_rebuilt (
    id            {{PK}},
    email         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    first_name    TEXT    NOT NULL,
    last_name     TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('teacher', 'student', 'admin')),
    is_active     INTEGER NOT NULL DEFAULT 1,
    token_version BIGINT  NOT NULL DEFAULT 0,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);
INSERT INTO users_rebuilt (id, email, password_hash, first_name, last_name, role, is_active,
                           token_version, created_at, updated_at)
    SELECT id, email, password_hash, first_name, last_name, role, is_active, token_version,
           created_at, updated_at FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
{{END}}
{{PG}}
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('teacher', 'student', 'admin'));
{{END}}

ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'pending', 'deactivated'));
UPDATE users SET status = 'deactivated' WHERE is_active = 0;
-- The admin list: newest first.
CREATE INDEX users_created ON users (created_at, id);
