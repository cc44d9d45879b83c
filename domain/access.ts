import type { FileActor } from './file-states';

// Who may see and do what. Every object belongs to a party; another party's object is "not found".

export const roles = ['vendor', 'provider', 'billing_manager', 'admin', 'ops'] as const;
export type Role = (typeof roles)[number];

export interface Caller {
  partyId: string;
  keyId: string;
  role: Role;
}

export interface FileScope {
  vendorId: string;
  providerId: string;
  environment: 'preview' | 'production';
}

/**
 * Admins and ops see every party's objects. Every other key, billing managers included (a billing
 * manager is a key of an operator's party), sees its own party's: another party's object is 404.
 */
const seesAllParties = (caller: Caller): boolean => caller.role === 'admin' || caller.role === 'ops';

/** The party whose objects the caller sees: its own, or every party (null). */
export const partyScope = (caller: Caller): string | null => (seesAllParties(caller) ? null : caller.partyId);

/** Whether the caller may see an object owned by `ownerPartyId`. */
export const seesParty = (caller: Caller, ownerPartyId: string): boolean => seesAllParties(caller) || ownerPartyId === caller.partyId;

const internalRoles: readonly Role[] = ['admin', 'ops', 'billing_manager'];

/** Vendors see their own files; providers their production files; internal roles (billing managers too) see all. */
export function canSeeFile(caller: Caller, file: FileScope): boolean {
  if (internalRoles.includes(caller.role)) return true;
  if (caller.role === 'vendor') return file.vendorId === caller.partyId;
  if (caller.role === 'provider') return file.providerId === caller.partyId && file.environment === 'production';
  return false;
}

/** Whether the caller's role may take an action that the state machine gives to `actor`. */
export function mayActAs(caller: Caller, actor: FileActor): boolean {
  if (caller.role === 'admin') return actor !== 'system';
  return (actor === 'vendor' && caller.role === 'vendor') || (actor === 'provider' && caller.role === 'provider');
}
