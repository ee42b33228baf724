-- Biometric consent (API.md §13): each student's current consent, and every give and
-- withdrawal with its time and the version of the text. Databases upgraded from before
-- Part II have no consent rows: their face data stays, but with FACE_CONSENT_REQUIRED=1
-- it is not matched until the student consents.
CREATE TABLE face_consents (
    user_id       BIGINT NOT NULL PRIMARY KEY REFERENCES users (id),
    status        TEXT   NOT NULL CHECK (status IN ('given', 'withdrawn')),
    given_version TEXT,                             -- of the last consent given
    given_at      BIGINT,
    withdrawn_at  BIGINT,                           -- of the last withdrawal
    updated_at    BIGINT NOT NULL
);

CREATE TABLE face_consent_history (
    id       {{PK}},
    user_id  BIGINT NOT NULL REFERENCES users (id),
    action   TEXT   NOT NULL CHECK (action IN ('given', 'withdrawn')),
    version  TEXT   NOT NULL,
    at       BIGINT NOT NULL
);
CREATE INDEX face_consent_history_user ON face_consent_history (user_id, id);
