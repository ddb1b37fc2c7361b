export { DicomCodecs, type CodecLocations, type DecodedFrame } from './codecs';
export { decodeDicom, decodeDicomSample, type DicomImage } from './decode_dicom';
export { DicomSkip, isDicom, readDicom, type DicomImageHeader } from './dicom_header';
export { TRANSFER_SYNTAXES, type PixelEncoding, type TransferSyntax } from './transfer_syntax';
