// Reads a TID 1500 SR the way the OHIF viewer does (dcmjs + @cornerstonejs/adapters' Cornerstone3D
// MeasurementReport.generateToolState) and prints what the adapters made of it, as JSON on the one line
// that starts with "CTAI-RESULT ". A second line, "CTAI-MEASUREMENTS ", lists the measurement groups merged by
// Tracking Unique Identifier, as OHIF's SR display (cornerstone-dicom-sr) merges them before it draws one
// measurement per UID: per UID its tracking identifiers, NUMs (with derivation) and top-level SCOORDs with the
// image each is SELECTED FROM. A UID without a SCOORD there is a measurement OHIF cannot place.
//
// usage: node read-sr.mjs SR_FILE CT_FOLDER
//   CT_FOLDER holds the CT images the SR refers to: their Image Plane attributes are what the adapters
//   need to turn the SCOORD image coordinates into patient coordinates, as OHIF's metadata provider gives them.
import fs from 'node:fs';
import path from 'node:path';
import dcmjs from 'dcmjs';
import { metaData } from '@cornerstonejs/core';
import { adaptersSR } from '@cornerstonejs/adapters';

const [srFile, ctFolder] = process.argv.slice(2);
if (!srFile || !ctFolder) {
  console.error('usage: node read-sr.mjs SR_FILE CT_FOLDER');
  process.exit(2);
}

function readDataset(file) {
  const bytes = fs.readFileSync(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const message = dcmjs.data.DicomMessage.readFile(buffer);
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict);
}

// imageId per CT instance, and its image plane as cornerstone's metadata providers describe it
const planes = {};
const imageIdBySopFrame = {};
for (const name of fs.readdirSync(ctFolder)) {
  if (!name.endsWith('.dcm')) continue;
  const ct = readDataset(path.join(ctFolder, name));
  const imageId = 'ctai:' + ct.SOPInstanceUID;
  const iop = ct.ImageOrientationPatient.map(Number);
  const spacing = ct.PixelSpacing.map(Number);
  planes[imageId] = {
    frameOfReferenceUID: ct.FrameOfReferenceUID,
    rows: ct.Rows,
    columns: ct.Columns,
    imagePositionPatient: ct.ImagePositionPatient.map(Number),
    rowCosines: iop.slice(0, 3),
    columnCosines: iop.slice(3, 6),
    // PixelSpacing is row spacing \ column spacing; cornerstone names them the other way round
    rowPixelSpacing: spacing[1],
    columnPixelSpacing: spacing[0],
  };
  imageIdBySopFrame[ct.SOPInstanceUID + ':1'] = imageId;
}
const provider = (type, imageId) => (type === 'imagePlaneModule' ? planes[imageId] : undefined);
metaData.addProvider(provider, 10000);
const metadata = { get: provider };

const sr = readDataset(srFile);
const { MeasurementReport } = adaptersSR.Cornerstone3D;
const toolState = MeasurementReport.generateToolState(sr, imageIdBySopFrame, metadata);

const out = [];
for (const [toolType, measurements] of Object.entries(toolState)) {
  for (const m of measurements) {
    const data = m.annotation.data;
    const stats = Object.values(data.cachedStats || {})[0] || {};
    out.push({
      toolType,
      label: data.label ?? null,
      description: m.description ?? null,
      referencedSopInstanceUid: m.sopInstanceUid ?? null,
      referencedImageId: m.annotation.metadata.referencedImageId ?? null,
      trackingUniqueIdentifier: m.TrackingUniqueIdentifier ?? null,
      closed: data.contour ? data.contour.closed : null,
      polyline: data.contour ? data.contour.polyline : [],
      area: stats.area ?? null,
      perimeter: stats.perimeter ?? null,
      // what OHIF shows as "Mean" and "Max" of a freehand ROI
      mean: stats.mean ?? null,
      max: stats.max ?? null,
    });
  }
}
// one marked line: the adapters log through console as well
console.log('CTAI-RESULT ' + JSON.stringify(out));

const asArray = (x) => (x === undefined || x === null ? [] : Array.isArray(x) ? x : [x]);
const concept = (item) => asArray(item.ConceptNameCodeSequence)[0] || {};
const report = asArray(sr.ContentSequence).find((i) => concept(i).CodeValue === '126010');
const byUid = {};
for (const group of asArray(report ? report.ContentSequence : []).filter((i) => concept(i).CodeValue === '125007')) {
  const items = asArray(group.ContentSequence);
  const uidItem = items.find((i) => concept(i).CodeValue === '112040');
  const uid = uidItem ? uidItem.UID : '(none)';
  const m = (byUid[uid] ||= { trackingIdentifiers: [], nums: [], scoords: [] });
  for (const item of items) {
    const code = concept(item);
    if (code.CodeValue === '112039') m.trackingIdentifiers.push(item.TextValue);
    if (item.ValueType === 'NUM') {
      const measured = asArray(item.MeasuredValueSequence)[0];
      const derivation = asArray(item.ContentSequence).find((c) => concept(c).CodeValue === '121401');
      m.nums.push({
        concept: code.CodingSchemeDesignator + ':' + code.CodeValue,
        derivation: derivation ? asArray(derivation.ConceptCodeSequence)[0].CodeValue : null,
        value: measured ? Number(measured.NumericValue) : null,
        unit: measured ? asArray(measured.MeasurementUnitsCodeSequence)[0].CodeValue : null,
      });
    }
    if (item.ValueType === 'SCOORD') {
      const image = asArray(item.ContentSequence).find((c) => c.RelationshipType === 'SELECTED FROM');
      const sop = image ? asArray(image.ReferencedSOPSequence)[0] : undefined;
      m.scoords.push({
        graphicType: item.GraphicType,
        points: asArray(item.GraphicData).length / 2,
        referencedSopInstanceUid: sop ? sop.ReferencedSOPInstanceUID : null,
      });
    }
  }
}
console.log('CTAI-MEASUREMENTS ' + JSON.stringify(byUid));
