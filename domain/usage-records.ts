import type { FileAction } from './file-states';

// The usage record state machine of SPEC §1.4, in its API names (validated = `valid`, accepted =
// `approved`). Records follow their file: submit, accept and reject move every record of the file
// at once (`followFile`); closing is the only per-record transition (`closableStatuses`).

export const recordStatuses = ['valid', 'invalid', 'pending', 'approved', 'rejected', 'closed'] as const;
export type RecordStatus = (typeof recordStatuses)[number];

/** For each file action that moves records: which record status moves to which. */
export const followFile: Partial<Record<FileAction, { from: RecordStatus; to: RecordStatus }>> = {
  submit: { from: 'valid', to: 'pending' },
  accept: { from: 'pending', to: 'approved' },
  reject: { from: 'pending', to: 'rejected' },
};

/** A record can be closed when approved; a closed one may have its external billing id and note changed. */
export const closableStatuses: readonly RecordStatus[] = ['approved', 'closed'];

/** Public record id: `UR-` + the file id's digits + `-` + the sheet row, e.g. UR-2026-11-1234-5678-2. */
export function recordPublicId(fileId: string, rowNo: number): string {
  return `UR-${fileId.replace(/^UF-/, '')}-${rowNo}`;
}

/** The file and row of a public record id; undefined when it is not one. */
export function parseRecordPublicId(id: string): { fileId: string; rowNo: number } | undefined {
  const match = /^UR-(\d{4}-\d{2}-\d{4}-\d{4})-(\d{1,7})$/.exec(id);
  if (!match) return undefined;
  return { fileId: `UF-${match[1]}`, rowNo: Number(match[2]) };
}

export type RecordCounts = Record<RecordStatus, number> & { total: number };

export function emptyCounts(): RecordCounts {
  return { valid: 0, invalid: 0, pending: 0, approved: 0, rejected: 0, closed: 0, total: 0 };
}
