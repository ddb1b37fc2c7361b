import { useEffect, useRef, type ReactNode } from 'react';
import type { labels } from '@splitlearn/split-core/pure';
import { pickedFromFileList } from '../files/collect_files';

// An image party's inputs: the folder of its images and the CSV mapping each patient to an
// image, found in the folder (a choice when it holds several) or chosen on its own.

export interface PartyImageInputsProps {
  /** The CSVs in the chosen folder, the likeliest mapping first. */
  folderCsvs: string[];
  /** The folder's CSV in use, if the mapping comes from the folder. */
  folderCsv: string | undefined;
  disabled: boolean;
  onFolder: (files: labels.PickedFile<File>[]) => void;
  onFolderCsv: (path: string) => void;
  onSeparateCsv: (file: File) => void;
}

export function PartyImageInputs({ folderCsvs, folderCsv, disabled, onFolder, onFolderCsv, onSeparateCsv }: PartyImageInputsProps): ReactNode {
  const folderInput = useRef<HTMLInputElement>(null);
  // React has no typed prop for webkitdirectory; the attribute is what browsers read.
  useEffect(() => folderInput.current?.setAttribute('webkitdirectory', ''), []);
  return (
    <>
      <div className="field">
        <label htmlFor="party-image-folder">Image folder</label>
        <input id="party-image-folder" ref={folderInput} type="file" multiple disabled={disabled} onChange={(event) => onFolder(pickedFromFileList(event.target.files ?? []))} />
      </div>
      {folderCsvs.length > 1 && (
        <div className="field">
          <label htmlFor="party-folder-csv">Mapping CSV in the folder</label>
          <select id="party-folder-csv" value={folderCsv ?? ''} disabled={disabled} onChange={(event) => onFolderCsv(event.target.value)}>
            {folderCsv === undefined && <option value="">(the CSV chosen below)</option>}
            {folderCsvs.map((path) => (
              <option key={path} value={path}>
                {path}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="field">
        <label htmlFor="party-mapping-csv">{folderCsvs.length > 0 ? 'Mapping CSV (if not the folder’s)' : 'Mapping CSV'}</label>
        <input id="party-mapping-csv" type="file" accept=".csv,text/csv" disabled={disabled} onChange={(event) => {
          const picked = event.target.files?.[0];
          if (picked) onSeparateCsv(picked);
        }} />
      </div>
    </>
  );
}
