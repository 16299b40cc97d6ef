/**
 * Pseudo-labels count written answers only (issue 12). Adds the recovered-letter counts and the written /
 * sample counts, then recounts every existing label from its stored samples, because labels written before
 * this counted recovered letters as votes and would otherwise keep a share the model never gave. Labels
 * without stored samples (imported ones) keep their votes. `vote_share` stays NOT NULL (SQLite cannot relax
 * it); `written = 0` means "no written answer" and the store reads the share as null then.
 * The review queue's copy is rebuilt on its next read (its sync key is cleared).
 */
export const sql = `
ALTER TABLE lab_labels ADD COLUMN recovered TEXT NOT NULL DEFAULT '{}';
ALTER TABLE lab_labels ADD COLUMN written INTEGER;
ALTER TABLE lab_labels ADD COLUMN sample_count INTEGER;

CREATE TEMP TABLE lab_recount AS
SELECT run_id, question_seq,
       COUNT(*) AS n,
       SUM(CASE WHEN extracted IS NOT NULL AND recovered = 0 THEN 1 ELSE 0 END) AS written
FROM lab_samples GROUP BY run_id, question_seq;

CREATE TEMP TABLE lab_written AS
SELECT run_id, question_seq, extracted AS letter, COUNT(*) AS c
FROM lab_samples WHERE extracted IS NOT NULL AND recovered = 0 GROUP BY run_id, question_seq, extracted;

CREATE TEMP TABLE lab_rec AS
SELECT run_id, question_seq, extracted AS letter, COUNT(*) AS c
FROM lab_samples WHERE extracted IS NOT NULL AND recovered = 1 GROUP BY run_id, question_seq, extracted;

CREATE TEMP TABLE lab_top AS
SELECT run_id, question_seq, MAX(c) AS top FROM lab_written GROUP BY run_id, question_seq;

UPDATE lab_labels SET
  sample_count = (SELECT n FROM lab_recount r WHERE r.run_id = lab_labels.run_id AND r.question_seq = lab_labels.question_seq),
  written = (SELECT written FROM lab_recount r WHERE r.run_id = lab_labels.run_id AND r.question_seq = lab_labels.question_seq),
  votes = IFNULL((SELECT json_group_object(letter, c) FROM lab_written w WHERE w.run_id = lab_labels.run_id AND w.question_seq = lab_labels.question_seq), '{}'),
  recovered = IFNULL((SELECT json_group_object(letter, c) FROM lab_rec w WHERE w.run_id = lab_labels.run_id AND w.question_seq = lab_labels.question_seq), '{}'),
  vote_share = IFNULL((SELECT CAST(t.top AS REAL) / r.n FROM lab_top t JOIN lab_recount r ON r.run_id = t.run_id AND r.question_seq = t.question_seq
                       WHERE t.run_id = lab_labels.run_id AND t.question_seq = lab_labels.question_seq), 0),
  tie = IFNULL((SELECT COUNT(*) > 1 FROM lab_written w JOIN lab_top t ON t.run_id = w.run_id AND t.question_seq = w.question_seq AND w.c = t.top
                WHERE w.run_id = lab_labels.run_id AND w.question_seq = lab_labels.question_seq), 0)
WHERE EXISTS (SELECT 1 FROM lab_recount r WHERE r.run_id = lab_labels.run_id AND r.question_seq = lab_labels.question_seq);

UPDATE lab_labels SET
  label = CASE WHEN written = 0 OR tie = 1 THEN NULL
               ELSE (SELECT w.letter FROM lab_written w JOIN lab_top t ON t.run_id = w.run_id AND t.question_seq = w.question_seq AND w.c = t.top
                     WHERE w.run_id = lab_labels.run_id AND w.question_seq = lab_labels.question_seq) END
WHERE written IS NOT NULL;

UPDATE lab_labels SET
  agrees = CASE WHEN label IS NULL THEN NULL
                ELSE (SELECT q.intended_answer = lab_labels.label FROM syn_questions q WHERE q.dataset_id = lab_labels.dataset_id AND q.seq = lab_labels.question_seq) END
WHERE written IS NOT NULL;

DROP TABLE lab_recount;
DROP TABLE lab_written;
DROP TABLE lab_rec;
DROP TABLE lab_top;

DELETE FROM rev_synced;
`;
