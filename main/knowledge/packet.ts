/**
 * Turns one ORPHApacket (already JSON-parsed) into a regular record. Orphanet's files are irregular: a
 * list can arrive as an array of wrappers (`[{ "Parent": [...] }]`), as one wrapper holding an array
 * (`{ "Parent": [...] }`), or as bare items; a child's Genes can be the string "no data". Every accessor
 * here accepts all of those shapes and ignores values of the wrong type instead of failing on them.
 */
import { createHash } from 'node:crypto';
import type { Prevalence } from '../../api/knowledge.js';
import { describeJsonError } from '../platform/jsonText.js';

export interface GeneRecord {
  symbol: string;
  name: string;
  associationType: string;
  hgncId: string | null;
  omimId: string | null;
  clinvarId: string | null;
}

/** Stored and served as parsed: the Api's shape is the record's. */
export type PrevalenceRecord = Prevalence;

export interface PacketRecord {
  code: number;
  name: string;
  disorderType: string;
  definition: string | null;
  purl: string | null;
  synonyms: string[];
  externalReferences: { source: string; reference: string; mappingRelation: string | null }[];
  parents: { code: number; name: string }[];
  children: { code: number; name: string; genes: GeneRecord[] }[];
  phenotypes: { hpoId: string; term: string; frequency: string }[];
  genes: GeneRecord[];
  prevalences: PrevalenceRecord[];
  onsets: string[];
  inheritance: string[];
  version: string | null;
  created: string | null;
  copyright: string | null;
  isDemo: boolean;
  /** Hash of the content (not of version or date), to tell changed entries from unchanged ones on re-import. */
  hash: string;
}

/** A packet that cannot be imported; `problem` says why in words a person can act on. */
export class PacketError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'PacketError';
  }
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** Items of a list whose entries may be wrapped in `{ [key]: item | item[] }`. */
function items(v: unknown, key: string): Obj[] {
  const out: Obj[] = [];
  for (const entry of asList(v)) {
    if (!isObj(entry)) continue;
    if (key in entry) {
      for (const inner of asList(entry[key])) if (isObj(inner)) out.push(inner);
    } else out.push(entry);
  }
  return out;
}

function str(v: unknown): string | null {
  if (typeof v === 'string') {
    const t = v.trim();
    return t.length ? t : null;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/** Orphanet writes "no data" where a value is missing; the nullable fields store that as null. */
function known(v: unknown): string | null {
  const s = str(v);
  return s === null || s.toLowerCase() === 'no data' ? null : s;
}

function values(v: unknown, key: string): string[] {
  const out: string[] = [];
  for (const item of items(v, key)) {
    const s = str(item.value);
    if (s !== null) out.push(s);
  }
  return out;
}

function codeOf(v: unknown): number | null {
  const s = str(v);
  if (s === null || !/^\d{1,9}$/.test(s)) return null;
  return Number(s);
}

function genes(v: unknown): GeneRecord[] {
  const out: GeneRecord[] = [];
  for (const gene of items(v, 'Gene')) {
    const symbol = str(gene.Symbol);
    if (symbol === null) continue;
    const refs = new Map<string, string>();
    for (const ref of items(gene.ExternalReferences, 'ExternalReference')) {
      const source = str(ref.Source);
      const reference = str(ref.Reference);
      if (source && reference && !refs.has(source.toUpperCase())) refs.set(source.toUpperCase(), reference);
    }
    out.push({
      symbol,
      name: str(gene.Name) ?? str(gene.Label) ?? '',
      associationType: str(gene.DisorderGeneAssociationType) ?? '',
      hgncId: refs.get('HGNC') ?? null,
      omimId: refs.get('OMIM') ?? null,
      clinvarId: refs.get('CLINVAR') ?? null,
    });
  }
  return out;
}

/**
 * Validates and normalises one parsed packet. Throws PacketError for what makes it unusable: a top level
 * other than `{ "Orphapacket": { ... } }`, or no numeric ORPHAcode or no label.
 */
export function normalisePacket(json: unknown, file: string, options: { demo?: boolean } = {}): PacketRecord {
  if (!isObj(json) || !('Orphapacket' in json)) {
    const what = Array.isArray(json) ? 'an array' : isObj(json) ? `an object with keys ${Object.keys(json).slice(0, 5).join(', ') || '(none)'}` : typeof json;
    throw new PacketError(file, `wrong top level: expected { "Orphapacket": { ... } }, found ${what}`);
  }
  const p = json.Orphapacket;
  if (!isObj(p)) throw new PacketError(file, 'wrong top level: "Orphapacket" is not an object');
  const rawCode = p.ORPHAcode ?? p.ORPHApacketId;
  const code = codeOf(rawCode);
  if (code === null) {
    throw new PacketError(file, rawCode === undefined ? 'missing ORPHAcode' : `ORPHAcode ${JSON.stringify(rawCode)} is not a number`);
  }
  const name = str(p.Label);
  if (name === null) throw new PacketError(file, `ORPHA:${code} has no Label`);

  const disorderType = isObj(p.DisorderType) ? str(p.DisorderType.value) : str(p.DisorderType);
  let definition: string | null = null;
  for (const section of items(p.TextSection, 'TextSection')) {
    const type = str(section.TextSectionType);
    if (type === null || type.toLowerCase() === 'definition') {
      definition = str(section.Contents);
      if (definition) break;
    }
  }

  const synonyms: string[] = [];
  for (const s of asList(p.Synonyms)) {
    const value = isObj(s) ? str(s.Synonym) : str(s);
    if (value !== null) synonyms.push(value);
  }

  const externalReferences: PacketRecord['externalReferences'] = [];
  for (const ref of items(p.ExternalReferences, 'ExternalReference')) {
    const source = str(ref.Source);
    const reference = str(ref.Reference);
    if (source && reference) externalReferences.push({ source, reference, mappingRelation: str(ref.DisorderMappingRelation) });
  }

  const parents: PacketRecord['parents'] = [];
  for (const parent of items(p.Parents, 'Parent')) {
    const parentCode = codeOf(parent.ORPHAcode);
    if (parentCode !== null) parents.push({ code: parentCode, name: str(parent.Label) ?? '' });
  }

  const children: PacketRecord['children'] = [];
  for (const child of items(p.Children, 'Child')) {
    const childCode = codeOf(child.ORPHAcode);
    if (childCode !== null) children.push({ code: childCode, name: str(child.Label) ?? '', genes: genes(child.Genes) });
  }

  const phenotypes: PacketRecord['phenotypes'] = [];
  for (const ph of items(p.Phenotypes, 'Phenotype')) {
    const hpoId = str(ph.HPOId);
    if (hpoId !== null) phenotypes.push({ hpoId, term: str(ph.HPOTerm) ?? '', frequency: str(ph.HPOFrequency) ?? '' });
  }

  const prevalences: PrevalenceRecord[] = [];
  for (const pr of items(p.Prevalences, 'Prevalence')) {
    prevalences.push({
      prevalenceType: str(pr.PrevalenceType) ?? '',
      qualification: str(pr.PrevalenceQualification) ?? '',
      prevalenceClass: known(pr.PrevalenceClass),
      meanValue: known(pr.ValMoy),
      geographic: known(pr.PrevalenceGeographic),
      source: known(pr.Source),
      validationStatus: known(pr.PrevalenceValidationStatus),
    });
  }

  const content = {
    code,
    name,
    disorderType: disorderType ?? '',
    definition,
    purl: str(p.PURL),
    synonyms,
    externalReferences,
    parents,
    children,
    phenotypes,
    genes: genes(p.Genes),
    prevalences,
    onsets: values(p.AverageAgeOfOnsets, 'AverageAgeOfOnset'),
    inheritance: values(p.TypeOfInheritances, 'TypeOfInheritance'),
  };
  const isDemo = options.demo === true || p.demo === true || p.isDemo === true;
  const hash = createHash('sha1').update(JSON.stringify(content)).update(isDemo ? '|demo' : '').digest('base64');
  return {
    ...content,
    version: str(p.version),
    created: str(p.creationDate),
    copyright: str(p.copyright),
    isDemo,
    hash,
  };
}

/** Parses a file's bytes as a packet; names the file and the problem when it is not one. */
export function parsePacketFile(file: string, bytes: Buffer, options: { demo?: boolean } = {}): PacketRecord {
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const first = text.trimStart()[0];
  if (first === undefined) throw new PacketError(file, 'empty file');
  if (first !== '{' && first !== '[') {
    throw new PacketError(file, 'not a JSON file (content does not start with "{")');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new PacketError(file, `invalid JSON (truncated or malformed): ${describeJsonError(text, err)}`);
  }
  return normalisePacket(json, file, options);
}
