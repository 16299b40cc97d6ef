/**
 * Questions imported from files (released MedSSR sets, human sets) keep the fields beyond id/question/gold:
 * they travel with the run's snapshot and into the verl export's extra_info. NULL for questions from datasets.
 */
export const sql = `
ALTER TABLE train_items ADD COLUMN extra TEXT;
`;
