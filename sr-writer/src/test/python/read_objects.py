"""Reads DICOM objects with pydicom (not our code) and prints, as one JSON line, what they say about the pixels
they came from: Lossy Image Compression with its ratio and method, and for a SEG the Spatial Locations Preserved
of every source image reference.

usage: python3 read_objects.py FILE...
"""
import json
import sys

import pydicom


def values(ds, keyword):
    if keyword not in ds:
        return None
    v = ds.data_element(keyword).value
    if isinstance(v, (list, pydicom.multival.MultiValue)):
        return [str(x) for x in v]
    return [str(v)]


def main(paths):
    out = []
    for path in paths:
        ds = pydicom.dcmread(path)
        o = {'file': path, 'sopClassUid': str(ds.SOPClassUID),
             'lossyImageCompression': str(ds.LossyImageCompression) if 'LossyImageCompression' in ds else None,
             'ratio': values(ds, 'LossyImageCompressionRatio'), 'method': values(ds, 'LossyImageCompressionMethod'),
             'spatialLocationsPreserved': []}
        for frame in getattr(ds, 'PerFrameFunctionalGroupsSequence', []):
            for derivation in getattr(frame, 'DerivationImageSequence', []):
                for source in getattr(derivation, 'SourceImageSequence', []):
                    o['spatialLocationsPreserved'].append(
                        str(source.SpatialLocationsPreserved) if 'SpatialLocationsPreserved' in source else None)
        out.append(o)
    print('CTAI-PYDICOM ' + json.dumps(out))


if __name__ == '__main__':
    main(sys.argv[1:])
