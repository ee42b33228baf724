-- One row that every enrolment transaction updates first. On PostgreSQL (read committed,
-- possibly several server processes) enrolments then run one at a time, so the duplicate
-- identity guard always sees every face committed before it; SQLite's BEGIN IMMEDIATE
-- serialises writers anyway. Enrolment is rare, so the queue costs nothing noticeable.
CREATE TABLE face_enrol_lock (
    id INTEGER NOT NULL PRIMARY KEY
);
INSERT INTO face_enrol_lock (id) VALUES (1);
