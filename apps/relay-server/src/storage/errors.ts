// Errors a caller can tell apart with `instanceof`, each saying what the operator should do.

export interface RowLocation {
  table: string;
  /** Primary key of the row, when known. */
  rowId?: string | number;
  column?: string;
}

/**
 * A stored row or file does not have the shape this code wrote: edited by hand, damaged on
 * disk, or written by an incompatible version. Reported instead of crashing later on a
 * half-valid object.
 */
export class StorageCorruptionError extends Error {
  override readonly name = 'StorageCorruptionError';

  constructor(
    readonly location: RowLocation,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Stored data is corrupted in ${describeLocation(location)}: ${detail}. ` +
        'It was edited by hand or the file is damaged; restore the data directory from a backup or delete that row.',
      options,
    );
  }
}

/** The database was written by a newer relay: opening it could lose data this code does not know about. */
export class SchemaVersionError extends Error {
  override readonly name = 'SchemaVersionError';

  constructor(
    readonly databaseFile: string,
    readonly foundVersion: number,
    readonly knownVersion: number,
  ) {
    super(
      `${databaseFile} has schema version ${foundVersion}, but this relay only knows versions up to ${knownVersion}. ` +
        'It was written by a newer relay: run that newer version, or point --data-dir at another directory. ' +
        'The database was not modified.',
    );
  }
}

/** Withdrawal is final: the participant's data is gone and it cannot rejoin under that id. */
export class ParticipantWithdrawnError extends Error {
  override readonly name = 'ParticipantWithdrawnError';

  constructor(readonly participantId: string) {
    super(`Participant ${participantId} has withdrawn from the study; join again with the study's join code as a new participant.`);
  }
}

function describeLocation(location: RowLocation): string {
  const row = location.rowId === undefined ? '' : ` row ${JSON.stringify(location.rowId)}`;
  const column = location.column === undefined ? '' : ` column ${location.column}`;
  return `table ${location.table}${row}${column}`;
}

/** A checkpoint directory on disk does not match its manifest, or the manifest is unreadable. */
export class CheckpointCorruptionError extends Error {
  override readonly name = 'CheckpointCorruptionError';

  constructor(
    readonly directory: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Checkpoint ${directory} is damaged: ${detail}. ` +
        'Delete that directory to fall back to the previous checkpoint of the study.',
      options,
    );
  }
}
