/**
 * The real December 2025 release (9,960 packets from ../shared), imported once through the app and its
 * import job (worker thread), then checked: counts, odd shapes, ORPHA:558 field by field, search, facets.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiEvent } from '../../../api/contract.js';
import type { ImportReport } from '../../../api/knowledge.js';
import { createApp, type AppRuntime } from '../../../main/app/index.js';
import { needShared, sharedPath } from '../../helpers/shared.js';
import { removeDir, tempDir } from './fixtures.js';

const skip = needShared('data', 'orphapacket', 'json');

describe('import of the real ORPHApackets', { skip }, () => {
  let work: string;
  let app: AppRuntime;
  let report: ImportReport;
  const events: ApiEvent[] = [];

  before(async () => {
    work = tempDir();
    app = await createApp({ dataDir: work, transport: 'http', seedDemo: false });
    app.subscribe((e) => events.push(e));
    const { jobId } = await app.handlers['knowledge.import']({ path: sharedPath('data', 'orphapacket', 'json'), skipInvalid: false });
    const job = await app.context.jobs.waitFor(jobId);
    assert.equal(job.state, 'completed', job.error ?? '');
    report = job.result as ImportReport;
  });
  after(async () => {
    await app?.close();
    removeDir(work);
  });

  it('imports every packet with the counts the release has', () => {
    assert.equal(report.packets, 9960);
    assert.equal(report.added, 9960);
    assert.deepEqual(report.skipped, []);
    assert.equal(report.sourceVersion, '1.3.42 / 4.1.8 [2025-03-03]');
    const stats = app.handlers['knowledge.stats']({}) as ReturnType<typeof app.context.knowledge.stats>;
    assert.equal(stats.disorders, 9960);
    assert.equal(stats.phenotypeAssociations, 115878);
    assert.equal(stats.geneAssociations, 8018);
    assert.equal(stats.prevalences, 16654);
    assert.equal(stats.isDemo, false);
    assert.equal(app.context.knowledge.repo.childGeneAssociations(), 16093);
  });

  it('streams job progress and announces the change', () => {
    const jobEvents = events.filter((e): e is Extract<ApiEvent, { type: 'job' }> => e.type === 'job');
    const states = jobEvents.map((e) => e.job.state);
    assert.equal(states[0], 'queued');
    assert.ok(states.includes('running'));
    assert.equal(states.at(-1), 'completed');
    assert.ok(jobEvents.some((e) => e.job.state === 'running' && e.job.progress.done > 0), 'progress events while running');
    assert.ok(jobEvents.length < 200, `events are throttled (${jobEvents.length})`);
    assert.ok(events.some((e) => e.type === 'knowledge.changed'));
  });

  it('keeps ORPHA:558 Marfan syndrome field by field', () => {
    const d = app.context.knowledge.get('558');
    assert.ok(d);
    assert.equal(d.name, 'Marfan syndrome');
    assert.equal(d.disorderType, 'Disease');
    assert.equal(d.purl, 'http://www.orpha.net/ORDO/Orphanet_558');
    assert.match(d.definition ?? '', /^Marfan syndrome is a systemic disease of connective tissue/);
    assert.deepEqual(d.synonyms, ['MFS']);
    assert.deepEqual(
      d.externalReferences.map((r) => [r.source, r.reference, r.mappingRelation?.slice(0, 4)]),
      [['OMIM', '610168', 'NTBT'], ['OMIM', '154700', 'BTNT']],
    );
    assert.equal(d.phenotypes.length, 68);
    assert.deepEqual(d.phenotypes.find((p) => p.hpoId === 'HP:0001166'), { hpoId: 'HP:0001166', term: 'Arachnodactyly', frequency: 'Very frequent (99-80%)' });
    const byFreq = new Map<string, number>();
    for (const p of d.phenotypes) byFreq.set(p.frequency, (byFreq.get(p.frequency) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(byFreq), { 'Very frequent (99-80%)': 10, 'Frequent (79-30%)': 24, 'Occasional (29-5%)': 34 });
    assert.deepEqual(d.children, [
      { orphaCode: '284963', name: 'Marfan syndrome type 1', present: true },
      { orphaCode: '284973', name: 'Marfan syndrome type 2', present: true },
    ]);
    assert.deepEqual(
      d.genes.map((g) => [g.symbol, g.hgncId, g.omimId, g.viaChild?.orphaCode]),
      [['FBN1', '3603', '134797', '284963'], ['TGFBR1', '11772', '190181', '284973'], ['TGFBR2', '11773', '190182', '284973']],
    );
    assert.equal(d.genes[0]?.associationType, 'Disease-causing germline mutation(s) in');
    assert.deepEqual(d.inheritance, ['Autosomal dominant']);
    assert.deepEqual(d.onsets, ['All ages']);
    assert.equal(d.prevalences.length, 6);
    assert.deepEqual(d.prevalences[0], {
      prevalenceType: 'Annual incidence',
      qualification: 'Value and class',
      prevalenceClass: '1-5 / 10 000',
      meanValue: null,
      geographic: 'Europe',
      source: '16325700[PMID]_ORPHANET',
      validationStatus: null,
    });
    assert.equal(d.parents.length, 8);
    assert.ok(d.parents.some((p) => p.orphaCode === '284993' && p.name === 'Marfan syndrome and Marfan-related disorders'));
    assert.ok(d.branches.some((b) => b.orphaCode === '98053' && b.name === 'Rare genetic disease'));
    assert.ok(!d.branches.some((b) => b.orphaCode === '320716'), 'the "Rare disorders" umbrella has no packet and is no branch');
    assert.equal(d.isDemo, false);
    assert.deepEqual(d.source, { version: '1.3.42 / 4.1.8 [2025-03-03]', created: '2025-12-09 10:41:42', copyright: 'Orphanet (c) 2025' });
    // The subtypes carry the genes themselves too.
    const type2 = app.context.knowledge.get('284973');
    assert.deepEqual(type2?.genes.map((g) => [g.symbol, g.viaChild]), [['TGFBR1', null], ['TGFBR2', null]]);
    assert.ok(type2?.parents.some((p) => p.orphaCode === '558'));
  });

  it('accepts every irregular shape', () => {
    const k = app.context.knowledge;
    // Parents as one object holding an array.
    assert.deepEqual(k.get('180779')?.parents.map((p) => p.orphaCode), ['97962']);
    // Prevalences, inheritance and onsets as one object holding an array.
    const mds = k.get('100019');
    assert.deepEqual(mds?.prevalences.map((p) => [p.prevalenceClass, p.meanValue, p.source]), [['Unknown', '0.0', 'ORPHANET']]);
    assert.deepEqual(mds?.inheritance, ['Not applicable']);
    assert.deepEqual(mds?.onsets, ['Adult']);
    // External references wrapped in { ExternalReference: ... }.
    assert.deepEqual(k.get('100')?.externalReferences.map((r) => r.reference), ['208900', '208910']);
    // A child's gene whose references are wrapped; children whose Genes is the string "no data".
    const hsp = k.get('100979');
    assert.ok(hsp?.genes.some((g) => g.symbol === 'SPG29' && g.hgncId === '30161' && g.viaChild?.orphaCode === '101009'));
    // A prevalence with a null source.
    assert.ok(k.get('163681')?.prevalences.some((p) => p.source === null && p.prevalenceType === 'Cases/families'));
    // An unclassified new entry has no branch; classification heads are their own branch.
    assert.deepEqual(k.get('714041')?.branches, []);
    assert.deepEqual(k.get('98053')?.branches.map((b) => b.orphaCode), ['98053']);
  });

  it('ranks ORPHA:558 first for "marfan" and finds entries by code, OMIM, gene and HPO id', () => {
    const search = (text: string, limit = 10) => app.context.knowledge.search({ text, filters: {}, limit, offset: 0 });
    const marfan = search('marfan');
    assert.equal(marfan.hits[0]?.orphaCode, '558');
    assert.equal(marfan.hits[0]?.name, 'Marfan syndrome');
    assert.ok(marfan.hits.slice(1, 4).some((h) => h.orphaCode === '284963'));
    assert.equal(search('Marf').hits[0]?.orphaCode, '558', 'prefix matching while typing');
    assert.equal(search('MFS').hits[0]?.orphaCode, '558', 'exact synonym');
    assert.equal(search('cystic fibrosis').hits[0]?.orphaCode, '586');
    assert.equal(search('duchenne').hits[0]?.orphaCode, '98896');
    assert.deepEqual(search('558').hits[0], { ...search('ORPHA:558').hits[0] });
    assert.equal(search('ORPHA:558').hits[0]?.matchedBy, 'code');
    assert.equal(search('ORPHA:558').total, 1);
    assert.equal(search('OMIM:154700').hits[0]?.orphaCode, '558');
    assert.equal(search('154700').hits.find((h) => h.matchedBy === 'omim')?.orphaCode, '558');
    const fbn1 = search('FBN1', 50);
    assert.equal(fbn1.hits[0]?.orphaCode, '558', 'the classic disease of a gene comes first');
    assert.equal(fbn1.hits[0]?.matchedBy, 'gene');
    assert.equal(search('CFTR').hits[0]?.orphaCode, '586');
    assert.equal(search('HTT').hits[0]?.orphaCode, '399');
    const arachno = search('HP:0001166', 200);
    assert.ok(arachno.hits.every((h) => h.matchedBy === 'hpo'));
    assert.ok(arachno.hits.some((h) => h.orphaCode === '558'));
    assert.ok(search('arachnodactyly', 200).hits.some((h) => h.orphaCode === '558'), 'phenotype terms are searchable');
    assert.ok(search('fibrillin', 500).hits.some((h) => h.orphaCode === '558'), 'gene names are searchable');
    const text = search('connective tissue');
    assert.ok(text.total > 10);
    // Hits whose names do not show the match carry a snippet that does.
    const byPhenotype = search('arachnodactyly', 20).hits.filter((h) => !/arachnodactyly/i.test(h.name));
    assert.ok(byPhenotype.length > 0 && byPhenotype.every((h) => /«arachnodactyly»/i.test(h.snippet ?? '')), JSON.stringify(byPhenotype[0]));
    assert.equal(search('zzzzqqqq').total, 0);
    assert.equal(search('"unbalanced (quote* AND').hits.length >= 0, true, 'FTS syntax in user text is harmless');
  });

  it('pages through all entries without text, sorted by name', () => {
    const all = app.context.knowledge.search({ text: '', filters: {}, limit: 20000, offset: 0 });
    assert.equal(all.total, 9960);
    assert.equal(all.hits.length, 9960);
    const page2 = app.context.knowledge.search({ text: '', filters: {}, limit: 50, offset: 50 });
    assert.deepEqual(page2.hits.map((h) => h.orphaCode), all.hits.slice(50, 100).map((h) => h.orphaCode));
    assert.ok((all.hits[0]?.name ?? '').localeCompare(all.hits[1]?.name ?? '', 'en', { sensitivity: 'base' }) <= 0);
  });

  it('counts facets over the text and the other filters', () => {
    const k = app.context.knowledge;
    const all = k.facets('', {});
    const count = (values: { value: string; count: number }[], v: string) => values.find((x) => x.value === v)?.count;
    assert.equal(count(all.disorderType, 'Disease'), 4219);
    assert.equal(count(all.disorderType, 'Category'), 1770);
    assert.equal(count(all.hasPhenotypes, 'true'), 4335);
    assert.equal(all.branch.length, 30);
    assert.equal(all.branch[0]?.value, '98053');
    assert.equal(all.branch[0]?.label, 'Rare genetic disease');
    assert.equal(all.branch[0]?.count, 7083);
    assert.ok(count(all.inheritance, 'Autosomal dominant'));
    assert.ok(count(all.onset, 'Neonatal'));
    assert.ok(count(all.prevalenceClass, '1-5 / 10 000'));

    // Selecting a disorder type narrows the other facets but keeps the type facet's own alternatives.
    const diseases = k.facets('', { disorderType: ['Disease'] });
    assert.equal(count(diseases.disorderType, 'Category'), 1770);
    assert.ok((count(diseases.hasGenes, 'true') ?? 0) < (count(all.hasGenes, 'true') ?? 0));
    const filtered = k.search({ text: '', filters: { disorderType: ['Disease'], inheritance: ['Autosomal dominant'] }, limit: 5, offset: 0 });
    const f2 = k.facets('', { disorderType: ['Disease'], inheritance: ['Autosomal dominant'] });
    assert.equal(filtered.total, count(f2.disorderType, 'Disease'));
    assert.equal(filtered.total, count(f2.inheritance, 'Autosomal dominant'));

    // Text and filters together.
    const marfan = k.facets('marfan', {});
    const marfanTotal = k.search({ text: 'marfan', filters: {}, limit: 1, offset: 0 }).total;
    assert.equal(marfan.disorderType.reduce((n, v) => n + v.count, 0), marfanTotal);
    const subtypes = k.search({ text: 'marfan', filters: { disorderType: ['Clinical subtype'] }, limit: 10, offset: 0 });
    assert.ok(subtypes.hits.every((h) => h.disorderType === 'Clinical subtype'));
    assert.ok(subtypes.hits.some((h) => h.orphaCode === '284963'));
    const withGenes = k.search({ text: '', filters: { hasGenes: true, branch: ['98006'] }, limit: 20000, offset: 0 });
    assert.ok(withGenes.hits.every((h) => h.geneCount > 0));
    assert.ok(withGenes.total > 100 && withGenes.total < 3350);
  });

  it('loads all facts in bulk for synthesis, equal to single look-ups', () => {
    const started = Date.now();
    const facts = app.context.knowledge.listDisorderFacts();
    const took = Date.now() - started;
    assert.equal(facts.length, 9960);
    const marfan = facts.find((f) => f.orphaCode === '558');
    assert.deepEqual(marfan, app.context.knowledge.get('558'));
    assert.deepEqual(facts.find((f) => f.orphaCode === '100979'), app.context.knowledge.get('100979'));
    assert.equal(facts.reduce((n, f) => n + f.phenotypes.length, 0), 115878);
    assert.ok(took < 30_000, `bulk load took ${took} ms`);
  });

  it('re-importing the same release changes nothing', async () => {
    // Only kb_meta's record of the import itself (its time and its report) may differ.
    const unchanged = { ignoreMeta: ['importedAt', 'lastImport'] };
    const digest = app.context.knowledge.repo.digest(unchanged);
    const { jobId } = await app.handlers['knowledge.import']({ path: sharedPath('data', 'orphapacket', 'json'), skipInvalid: false });
    const job = await app.context.jobs.waitFor(jobId);
    const again = job.result as ImportReport;
    assert.equal(job.state, 'completed', job.error ?? '');
    assert.deepEqual([again.added, again.changed, again.removed, again.unchanged], [0, 0, 0, 9960]);
    assert.equal(digest.length, 64);
    assert.equal(app.context.knowledge.repo.digest(unchanged), digest, 'a table changed on re-import');
    assert.equal(app.context.knowledge.stats().disorders, 9960);
  });
});
