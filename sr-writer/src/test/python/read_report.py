"""Reads a TID 1500 measurement report with pydicom (not our code) and prints, as one JSON line, what a reader
finds in it: per measurement group its template, tracking, algorithm identification, Area, kurtosis and the area
its outlines enclose.

usage: python3 read_report.py SR_FILE

Areas are in pixel units (the test scales them by the CT's pixel spacing):
- regionsArea: the area inside the group's Image Region SCOORDs by the even-odd rule (every piece minus its
  holes), integrated on a grid of 1/16 pixel; exact for outlines along pixel edges
- inferredArea: the shoelace area of the POLYLINE under the Area NUM (the one outline OHIF draws)
"""
import json
import sys

import numpy as np
import pydicom

SUB = 16  # samples per pixel along each axis


def code(item, attr='ConceptNameCodeSequence'):
    seq = getattr(item, attr, None)
    if not seq:
        return None
    c = seq[0]
    return c.CodingSchemeDesignator + ':' + c.CodeValue


def points(scoord):
    d = [float(v) for v in scoord.GraphicData]
    return list(zip(d[0::2], d[1::2]))


def shoelace(poly):
    a = 0.0
    for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1]):
        a += x0 * y1 - x1 * y0
    return abs(a) / 2


def even_odd_area(polys):
    if not polys:
        return 0.0
    xs = [x for p in polys for x, _ in p]
    ys = [y for p in polys for _, y in p]
    x0, x1 = np.floor(min(xs)) - 1, np.ceil(max(xs)) + 1
    y0, y1 = np.floor(min(ys)) - 1, np.ceil(max(ys)) + 1
    gx = x0 + (np.arange(int((x1 - x0) * SUB)) + 0.5) / SUB
    gy = y0 + (np.arange(int((y1 - y0) * SUB)) + 0.5) / SUB
    X, Y = np.meshgrid(gx, gy)
    inside = np.zeros(X.shape, dtype=bool)
    for p in polys:
        for (ax, ay), (bx, by) in zip(p, p[1:] + p[:1]):
            if ay == by:
                continue
            crosses = (ay > Y) != (by > Y)
            xcross = ax + (Y - ay) * (bx - ax) / (by - ay)
            inside ^= crosses & (X < xcross)
    return float(inside.sum()) / (SUB * SUB)


def main(path):
    ds = pydicom.dcmread(path)
    report = next(i for i in ds.ContentSequence if code(i) == 'DCM:126010')
    groups = []
    for g in report.ContentSequence:
        if code(g) != 'DCM:125007':
            continue
        out = {'template': None, 'mappingResource': None, 'trackingIdentifier': None, 'trackingUid': None,
               'algorithm': [], 'area': None, 'kurtosis': None, 'regions': 0, 'regionsArea': None,
               'inferredArea': None, 'referencedSegment': None}
        if 'ContentTemplateSequence' in g:
            t = g.ContentTemplateSequence[0]
            out['template'] = str(t.TemplateIdentifier)
            out['mappingResource'] = str(t.MappingResource)
        regions = []
        for item in g.ContentSequence:
            c = code(item)
            if c == 'DCM:112039':
                out['trackingIdentifier'] = str(item.TextValue)
            elif c == 'DCM:112040':
                out['trackingUid'] = str(item.UID)
            elif c in ('DCM:111001', 'DCM:111003'):
                out['algorithm'].append({'concept': c, 'relationship': item.RelationshipType,
                                         'value': str(item.TextValue)})
            elif c == 'DCM:121191':
                out['referencedSegment'] = int(item.ReferencedSOPSequence[0].ReferencedSegmentNumber)
            elif c == 'DCM:111030' and item.ValueType == 'SCOORD':
                regions.append(points(item))
            elif item.ValueType == 'NUM':
                value = float(item.MeasuredValueSequence[0].NumericValue)
                derivation = None
                for child in getattr(item, 'ContentSequence', []):
                    if code(child) == 'DCM:121401':
                        derivation = code(child, 'ConceptCodeSequence')
                    if child.ValueType == 'SCOORD' and c == 'SCT:42798000':
                        out['inferredArea'] = shoelace(points(child)[:-1])
                if c == 'SCT:42798000' and derivation is None:
                    out['area'] = value
                if c == 'DCM:112031' and derivation == 'DCM:126052':
                    out['kurtosis'] = value
        out['regions'] = len(regions)
        if regions:
            out['regionsArea'] = even_odd_area([p[:-1] for p in regions])
        groups.append(out)
    print('CTAI-PYDICOM ' + json.dumps({'groups': groups}))


if __name__ == '__main__':
    main(sys.argv[1])
