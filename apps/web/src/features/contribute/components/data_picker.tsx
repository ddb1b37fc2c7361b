import { useEffect, useRef, useState, type DragEvent, type ReactNode } from 'react';
import { PageSection } from '../../../components/page_section';
import type { labels } from '@splitlearn/split-core/pure';
import { pickedFromDrop, pickedFromFileList } from '../files/collect_files';

export interface DataPickerProps {
  onImages: (files: labels.PickedFile<File>[]) => void;
  onCsv: (files: File[]) => void;
  disabled: boolean;
}

export function DataPicker({ onImages, onCsv, disabled }: DataPickerProps): ReactNode {
  const folderInput = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  // React has no typed prop for webkitdirectory; the attribute is what browsers read.
  useEffect(() => folderInput.current?.setAttribute('webkitdirectory', ''), []);

  const onDrop = (event: DragEvent<HTMLDivElement>): void => {
    event.preventDefault();
    setDragging(false);
    if (disabled) return;
    void pickedFromDrop(event.dataTransfer).then(onImages);
  };

  return (
    <PageSection step={2} title="Choose your images">
      <p>
        Put the images of each class in a folder named after the class (for example <code>normal/</code> and <code>pneumonia/</code>), then choose the folder that
        holds them. Or label them with a CSV file of <code>file,label</code> rows (the file named by its path, its name, or a DICOM file by its SOP Instance UID). PNG, JPEG and DICOM images are used (DICOM files as your PACS exports them, with or without .dcm; a DICOMDIR is skipped); choosing again replaces the selection.
      </p>
      <div className="picker-grid">
        <div className="field">
          <label htmlFor="image-folder">Image folder</label>
          <input id="image-folder" ref={folderInput} type="file" multiple disabled={disabled} onChange={(event) => onImages(pickedFromFileList(event.target.files ?? []))} />
        </div>
        <div className="field">
          <label htmlFor="image-files">Image files</label>
          <input
            id="image-files"
            type="file"
            multiple
            accept="image/png,image/jpeg,.png,.jpg,.jpeg,.csv,text/csv"
            disabled={disabled}
            onChange={(event) => onImages(pickedFromFileList(event.target.files ?? []))}
          />
        </div>
        <div className="field">
          <label htmlFor="label-csv">Label CSV (optional)</label>
          <input id="label-csv" type="file" accept=".csv,text/csv" disabled={disabled} onChange={(event) => onCsv(Array.from(event.target.files ?? []))} />
        </div>
      </div>
      <div
        className={`drop-zone${dragging ? ' drop-zone-active' : ''}`}
        role="region"
        aria-label="Drop zone for images, folders and CSV files"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        Or drop folders, images and a CSV here.
      </div>
      <p className="hint">Nothing is uploaded: the images are read and checked inside this browser tab.</p>
    </PageSection>
  );
}
