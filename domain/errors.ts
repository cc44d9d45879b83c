// One error vocabulary: every business refusal is a DomainError with a stable `code`.
// Activities turn these into non-retryable ApplicationFailures; the API maps codes to HTTP statuses
// in api/errors.ts. Never flatten one into a string.

export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that does not satisfy a schema or a rule; `path` says where (JSON path, row/column...). */
export class ValidationError extends DomainError {
  constructor(message: string, readonly issues: Array<{ path: string; message: string }> = []) {
    super('VALIDATION_FAILED', message, { issues });
  }
}

/** An action that the object's current state does not allow. */
export class IllegalTransitionError extends DomainError {
  constructor(readonly action: string, readonly currentState: string, reason?: string, details: Record<string, unknown> = {}) {
    super(
      'ILLEGAL_TRANSITION',
      reason ?? `Cannot ${action} a usage file in state ${currentState}`,
      { action, currentState, ...details },
    );
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} not found`, { what, id });
  }
}

/** Where in an uploaded file something went wrong, as far as it is known. */
export interface FileLocation {
  /** 1-based spreadsheet row (the header is row 1 in a well-formed file). */
  row?: number;
  /** Header name when the column has one, otherwise the spreadsheet column letter (e.g. "C"). */
  column?: string;
  /** 0-based byte offset into the uploaded bytes. */
  byteOffset?: number;
}

/**
 * A file that cannot be read as a usage sheet at all: too large, not UTF-8, a broken quote, a
 * zip bomb, a hard limit exceeded. The whole file is refused; `code` says why, `location` where.
 */
export class FileFormatError extends DomainError {
  constructor(code: string, message: string, readonly location: FileLocation = {}) {
    super(code, message, { ...location });
  }
}
