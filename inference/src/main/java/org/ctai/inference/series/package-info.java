/**
 * Reading one CT series: {@link org.ctai.inference.series.SeriesLoader} checks the files with PixelMed (modality,
 * SOP class, transfer syntax, sizes, geometry), sorts the slices along their normal and returns a
 * {@link org.ctai.inference.series.SeriesLoadResult}: a {@link org.ctai.inference.series.Volume} (geometry as
 * {@link org.ctai.inference.series.Geometry} with {@link org.ctai.inference.series.Vector3} positions, per-slice
 * {@link org.ctai.inference.series.SliceInfo}, pixels read lazily as HU), or a refusal with its
 * {@link org.ctai.inference.series.Refusal} reason. {@link org.ctai.inference.series.SeriesLoadException} is thrown
 * when a slice cannot be read later. {@link org.ctai.inference.series.PixelPadding} is public because
 * {@code Volume.pixelPaddings()} returns it.
 *
 * <p>Machinery, package-private: {@code SliceHeader} (one file's header), {@code SeriesAssembler} (sorting and
 * geometry checks), {@code SliceReader} and {@code PixelEncoding} (stored values to HU, through PixelMed's decoders),
 * {@code JpegLs} (JPEG-LS through GDCM).
 */
package org.ctai.inference.series;
