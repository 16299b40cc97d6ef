/** What review needs from knowledge, passed in by main/app (tests pass a stub). */
export interface KnowledgeLookup {
  get(orphaCode: string): { orphaCode: string; name: string; definition: string | null } | null;
  /** ORPHAcodes of the disorders under a classification branch (the queue's branch filter). */
  disordersInBranch(branchCode: string): number[];
}
