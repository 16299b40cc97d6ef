/** What the read-only banner says, in a plain module so the e2e test reads it back without JSX. */
export const readOnlyBannerText = {
  title: 'The data folder is read-only: you can browse, but nothing can be saved.',
  detail:
    'Search, statistics, datasets, the review queue, runs and jobs can be read. Imports, review decisions, new jobs and settings are refused until the app is opened on a writable copy of the folder.',
};
