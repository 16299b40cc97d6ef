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

/** Longest text accepted in a packet's definition (Contents) and in any other field; Orphanet's longest are 1,391 and 243. */
export const packetTextLimits = { contents: 20_000, other: 1_000 } as const;
/** Deepest nesting accepted; Orphanet's packets nest 7 levels. */
export const MAX_PACKET_DEPTH = 32;

/** Fields that hold a list (of wrappers, items or one bare item); Orphanet writes "no data" for an empty one. */
const listFields = ['Synonyms', 'ExternalReferences', 'Parents', 'Children', 'Phenotypes', 'Genes', 'Prevalences', 'AverageAgeOfOnsets', 'TypeOfInheritances', 'TextSection'] as const;

function shown(v: unknown): string {
  const text = typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : JSON.stringify(v);
  return `${typeof v} ${text}`;
}

/**
 * What the accessors below would otherwise pass over in silence (a numeric Label stored as text, a Phenotypes string
 * or a Genes number read as "none"), or what would make every search answer megabytes (a label of millions of
 * characters): refused by field and value, so the import stops (or skips the file) instead of storing a wrong entry.
 */
function checkShape(p: Obj, file: string): void {
  if (p.Label !== undefined && typeof p.Label !== 'string') throw new PacketError(file, `Label must be a text, found ${shown(p.Label)}`);
  for (const field of listFields) {
    const v = p[field];
    if (v === undefined || v === null || typeof v === 'object') continue;
    if (typeof v === 'string' && v.trim().toLowerCase() === 'no data') continue;
    throw new PacketError(file, `${field} must be a list or an object, found ${shown(v)}`);
  }
  // Iterative, so a deeply nested file is refused by its depth instead of overflowing the stack.
  const stack: { v: unknown; path: string; depth: number; key: string }[] = [{ v: p, path: '', depth: 0, key: '' }];
  while (stack.length) {
    const { v, path, depth, key } = stack.pop() as (typeof stack)[number];
    if (typeof v === 'string') {
      const max = key === 'Contents' ? packetTextLimits.contents : packetTextLimits.other;
      if (v.length > max) throw new PacketError(file, `${path} is ${v.length.toLocaleString('en-US')} characters long; at most ${max.toLocaleString('en-US')} are accepted`);
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_PACKET_DEPTH) throw new PacketError(file, `${path} is nested deeper than ${MAX_PACKET_DEPTH} levels`);
    if (Array.isArray(v)) v.forEach((item, i) => stack.push({ v: item, path: `${path}[${i}]`, depth: depth + 1, key }));
    else for (const [k, item] of Object.entries(v)) stack.push({ v: item, path: path ? `${path}.${k}` : k, depth: depth + 1, key: k });
  }
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
  checkShape(p, file);
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

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Orphanet's packets are UTF-8. Decoding other bytes leniently would store U+FFFD or mojibake ("SjÃ¶gren") as the
 * disorder's name; the file is refused with the offset of the first byte that is not UTF-8.
 */
function decodeUtf8(file: string, bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const byte = bytes[offset] ?? 0;
    const hint = byte >= 0xa0 ? ' (Latin-1 or Windows-1252? save the file as UTF-8)' : '';
    throw new PacketError(file, `not UTF-8: byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} at offset ${offset} is not valid UTF-8${hint}`);
  }
}

function firstInvalidUtf8(bytes: Buffer): number {
  let lo = 0;
  let hi = bytes.length;
  // The longest valid prefix, by halving: a prefix that decodes (allowing a cut multi-byte sequence at its end) is valid.
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  // A sequence cut short by the bad byte: point at its lead byte, where the invalid sequence begins.
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, lo));
  } catch {
    while (lo > 0 && ((bytes[lo - 1] ?? 0) & 0xc0) === 0x80) lo--;
    if (lo > 0 && (bytes[lo - 1] ?? 0) >= 0xc0) lo--;
  }
  return lo;
}

/** Parses a file's bytes as a packet; names the file and the problem when it is not one. */
export function parsePacketFile(file: string, bytes: Buffer, options: { demo?: boolean } = {}): PacketRecord {
  // The first byte that is not a BOM or white space tells a JSON file from anything else, before decoding it.
  let at = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (at < bytes.length && [0x20, 0x09, 0x0a, 0x0d].includes(bytes[at] ?? 0)) at++;
  if (at >= bytes.length) throw new PacketError(file, 'empty file');
  const first = String.fromCharCode(bytes[at] ?? 0);
  if (first !== '{' && first !== '[') {
    throw new PacketError(file, 'not a JSON file (content does not start with "{")');
  }
  let text = decodeUtf8(file, bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new PacketError(file, `invalid JSON (truncated or malformed): ${describeJsonError(text, err)}`);
  }
  return normalisePacket(json, file, options);
}
