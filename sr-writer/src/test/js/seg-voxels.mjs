// Reads a DICOM SEG the way the OHIF viewer does (@cornerstonejs/adapters, dcmjs) and prints, as JSON, the
// labelled voxel count per segment and per source CT instance:
//   node seg-voxels.mjs SEG.dcm CT1.dcm CT2.dcm ...
// -> {"segments":{"1":{"label":"Tumour 1","voxels":123,"bySopInstanceUid":{"1.2...":45,...}}},"overlapping":false}
// The CT files are parsed with dcmjs into a small metadata provider registered with cornerstone's metaData,
// which is what the adapters and cornerstone's labelmap cache ask for.
import fs from 'node:fs';
import dcmjs from 'dcmjs';
import * as core from '@cornerstonejs/core';
import { adaptersSEG } from '@cornerstonejs/adapters';

const [segPath, ...ctPaths] = process.argv.slice(2);
const { DicomMessage, DicomMetaDictionary } = dcmjs.data;

function naturalize(path) {
  const buffer = fs.readFileSync(path);
  const arrayBuffer = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
  const dicom = DicomMessage.readFile(arrayBuffer);
  const dataset = DicomMetaDictionary.naturalizeDataset(dicom.dict);
  dataset._meta = DicomMetaDictionary.namifyDataset(dicom.meta);
  return { dataset, arrayBuffer };
}

const modules = new Map(); // imageId -> { type -> value }
const custom = new Map();  // imageId -> { type -> value } (added by the adapters)
const imageIds = [];
for (const path of ctPaths) {
  const { dataset: ds } = naturalize(path);
  const imageId = 'ctai:' + ds.SOPInstanceUID;
  const iop = ds.ImageOrientationPatient.map(Number);
  const ipp = ds.ImagePositionPatient.map(Number);
  const spacing = ds.PixelSpacing.map(Number);
  modules.set(imageId, {
    instance: ds,
    generalImageModule: { sopInstanceUID: ds.SOPInstanceUID, instanceNumber: Number(ds.InstanceNumber) },
    generalSeriesModule: { seriesInstanceUID: ds.SeriesInstanceUID, modality: ds.Modality },
    imagePlaneModule: {
      frameOfReferenceUID: ds.FrameOfReferenceUID, rows: ds.Rows, columns: ds.Columns,
      imageOrientationPatient: iop, rowCosines: iop.slice(0, 3), columnCosines: iop.slice(3, 6),
      imagePositionPatient: ipp, pixelSpacing: spacing, rowPixelSpacing: spacing[0], columnPixelSpacing: spacing[1],
      sliceThickness: Number(ds.SliceThickness), sliceLocation: Number(ds.SliceLocation),
    },
    imagePixelModule: {
      samplesPerPixel: ds.SamplesPerPixel, photometricInterpretation: ds.PhotometricInterpretation,
      rows: ds.Rows, columns: ds.Columns, bitsAllocated: ds.BitsAllocated, bitsStored: ds.BitsStored,
      highBit: ds.HighBit, pixelRepresentation: ds.PixelRepresentation,
    },
    sopCommonModule: { sopClassUID: ds.SOPClassUID, sopInstanceUID: ds.SOPInstanceUID },
  });
  imageIds.push(imageId);
}
// the viewer's stack order: along the slice normal
const normal = (() => {
  const p = modules.get(imageIds[0]).imagePlaneModule;
  const [r, c] = [p.rowCosines, p.columnCosines];
  return [r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]];
})();
const along = id => modules.get(id).imagePlaneModule.imagePositionPatient.reduce((s, v, i) => s + v * normal[i], 0);
imageIds.sort((a, b) => along(a) - along(b));

const metadataProvider = {
  get(type, imageId) {
    return custom.get(imageId)?.[type] ?? modules.get(imageId)?.[type];
  },
  addCustomMetadata(imageId, type, value) {
    if (!custom.has(imageId)) custom.set(imageId, {});
    custom.get(imageId)[type] = value;
  },
};
core.metaData.addProvider((type, imageId) => metadataProvider.get(type, imageId), 10000);

const segBuffer = fs.readFileSync(segPath);
const segArrayBuffer = segBuffer.buffer.slice(segBuffer.byteOffset, segBuffer.byteOffset + segBuffer.byteLength);
const result = await adaptersSEG.Cornerstone3D.Segmentation.createFromDICOMSegBuffer(
  imageIds, segArrayBuffer, { metadataProvider });

const segments = {};
const labels = result.segMetadata?.data ?? [];
result.labelMapImages.flat().forEach((image, index) => {
  const pixels = image.getPixelData ? image.getPixelData() : image.voxelManager.getScalarData();
  const sop = modules.get(image.referencedImageId ?? imageIds[index])?.generalImageModule.sopInstanceUID ?? ('#' + index);
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    if (v === 0) continue;
    const s = (segments[v] ??= { label: labels[v]?.SegmentLabel ?? null, voxels: 0, bySopInstanceUid: {} });
    s.voxels++;
    s.bySopInstanceUid[sop] = (s.bySopInstanceUid[sop] ?? 0) + 1;
  }
});
process.stdout.write(JSON.stringify({ segments, overlapping: Boolean(result.overlappingSegments) }) + '\n');
