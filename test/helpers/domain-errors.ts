import { DomainError } from '../../domain/errors';

/** The stable code of the DomainError `fn` throws, or undefined when it throws nothing. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a DomainError';
  }
  return undefined;
}
