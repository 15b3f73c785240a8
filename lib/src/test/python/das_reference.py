"""Reads the DAS sample files with independent Python readers (h5py, npTDMS, segyio) and prints what they declare
and hold as JSON, for io.fosm.ingest.DasReadersCrossCheckTest to compare with the Java readers.

Usage: das_reference.py SAMPLE_DIR > reference.json

Per file: format-independent facts (channels, time samples, sample rate, start time in epoch microseconds, spacing,
start distance, gauge length, unit, stored dtype) and the data: per-channel sums and sums of squares over time, and
the values at a fixed set of (channel, time) positions. Data are laid out (channel, time) like the Java readers.
Each reader below follows the format's own metadata, written from the file layouts, not from fosm's Java code.
"""
import datetime as dt
import json
import sys
from pathlib import Path

import h5py
import numpy as np
import segyio
from nptdms import TdmsFile


def iso_us(text):
    text = text.decode() if isinstance(text, bytes) else str(text)
    text = text.strip().replace("Z", "+00:00")
    t = dt.datetime.fromisoformat(text)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return int(round((t - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)).total_seconds() * 1e6))


def s(v):
    v = np.asarray(v).reshape(-1)[0] if np.ndim(v) else v
    return v.decode() if isinstance(v, bytes) else str(v)


def f(v):
    return float(np.asarray(v).reshape(-1)[0])


def prodml(path):
    with h5py.File(path, "r") as h:
        acq = h["Acquisition"]
        raw = acq["Raw[0]"]
        data = raw["RawData"]
        dims = [s(x) for x in data.attrs["Dimensions"]]
        arr = data[()]
        if dims[0] != "time":
            arr = arr.T
        spacing = f(acq.attrs["SpatialSamplingInterval"])
        start_locus = int(f(raw.attrs["StartLocusIndex"]))
        return dict(rate=f(raw.attrs["OutputDataRate"]), start_us=iso_us(raw["RawDataTime"].attrs["PartStartTime"]),
                    spacing=spacing, start_channel=start_locus, start_distance=start_locus * spacing,
                    gauge=f(acq.attrs["GaugeLength"]), unit=s(raw.attrs["RawDataUnit"]), dtype=str(arr.dtype),
                    data=arr.T)


def tdms(path):
    t = TdmsFile.read(path, raw_timestamps=True)
    p = t.properties
    group = t.groups()[0]
    arr = np.stack([c[:] for c in group.channels()])
    stamp = p["GPSTimeStamp"]  # seconds since 1904 + 2^-64 fractions, rounded to the nearest microsecond
    start_us = (stamp.seconds - 2082844800) * 10**6 + (stamp.second_fractions * 10**6 + 2**63) // 2**64
    return dict(rate=float(p["SamplingFrequency[Hz]"]), start_us=int(start_us), spacing=float(p["SpatialResolution[m]"])
        * float(p["Fibre Length Multiplier"]), start_channel=0, start_distance=float(p["StartPosition[m]"]),
        gauge=float(p["GaugeLength"]), unit="count", dtype=str(arr.dtype), data=arr)


def terra15(path):
    with h5py.File(path, "r") as h:
        node = h["data_product"]
        times = node["gps_time"][()]
        written = int(np.argmax(times <= 0)) if (times <= 0).any() else len(times)
        arr = node["data"][:written]
        return dict(rate=1.0 / f(node["data"].attrs["dT"]), start_us=int(round(times[0] * 1e6)), spacing=f(h.attrs["dx"]),
                    start_channel=0, start_distance=f(h.attrs["sensing_range_start"]), gauge=f(h.attrs["gauge_length"]),
                    unit=s(h.attrs["data_product_units"]), dtype=str(arr.dtype), data=arr.T)


def febus(path):
    with h5py.File(path, "r") as h:
        device = h[list(h.keys())[0]]
        source = device[[k for k in device.keys() if k.startswith("Source")][0]]
        zone = source[[k for k in source.keys() if k != "time"][0]]
        name = list(zone.keys())[0]
        cube = zone[name][()]
        extent, spacing, origin = zone.attrs["Extent"], zone.attrs["Spacing"], zone.attrs["Origin"]
        rows = 1 + extent[3] - extent[2]
        step = spacing[1] / 1000
        block_time = 1 / (f(zone.attrs["BlockRate"]) / 1000)
        keep = int(round(block_time / step)) if extent[2] != 0 else int(round(rows / (1 + f(zone.attrs["BlockOverlap"]) / 100)))
        first = (rows - keep) // 2
        arr = cube[:, first:first + keep, :].reshape(-1, cube.shape[2])
        t0 = source["time"][0] + origin[1] / 1000 + first * step
        return dict(rate=1 / step, start_us=int(round(t0 * 1e6)), spacing=float(spacing[0]), start_channel=int(extent[0]),
                    start_distance=float(extent[0] * spacing[0] + origin[0]), gauge=f(zone.attrs["GaugeLength"]),
                    unit=name[name.index("[") + 1:-1].replace("|", "/"), dtype=str(arr.dtype), data=arr.T)


def ap_sensing(path):
    with h5py.File(path, "r") as h:
        arr = h["DAS"][()]
        x0, x1 = f(h["DAQ/PositionStart"]), f(h["DAQ/PositionEnd"])
        return dict(rate=f(h["ProcessingServer/DataRate"]), start_us=iso_us(s(h["Metadata/Timestamp"][()])),
                    spacing=(x1 - x0) / arr.shape[1], start_channel=0, start_distance=x0,
                    gauge=f(h["ProcessingServer/GaugeLength"]), unit=s(h["ProcessingServer/DataType"][()]).lower(),
                    dtype=str(arr.dtype), data=arr.T)


def optodas(path):
    with h5py.File(path, "r") as h:
        hd = h["header"]
        names = [s(x) for x in hd["dimensionNames"][()]]
        arr = h["data"][()]
        if names[0] != "time":
            arr = arr.T
        channels = hd["channels"][()]
        dx = f(hd["dx"])
        return dict(rate=1 / f(hd["dt"]), start_us=int(round(f(hd["time"]) * 1e6)),
                    spacing=float(channels[1] - channels[0]) * dx, start_channel=int(channels[0]),
                    start_distance=float(channels[0]) * dx, gauge=f(hd["gaugeLength"]), unit=s(hd["unit"][()]),
                    dtype=str(arr.dtype), data=arr.T)


def segy(path):
    with segyio.open(path, ignore_geometry=True) as fi:
        arr = np.stack([fi.trace[i] for i in range(fi.tracecount)]).astype(np.float64)
        th = fi.header[0]
        start = dt.datetime.strptime("%d.%d.%d.%d.%d" % (th[segyio.TraceField.YearDataRecorded],
                                                           th[segyio.TraceField.DayOfYear],
                                                           th[segyio.TraceField.HourOfDay],
                                                           th[segyio.TraceField.MinuteOfHour],
                                                           th[segyio.TraceField.SecondOfMinute]), "%Y.%j.%H.%M.%S")
        start_us = int(start.replace(tzinfo=dt.timezone.utc).timestamp() * 1e6)
        return dict(rate=1e6 / th[segyio.TraceField.TRACE_SAMPLE_INTERVAL], start_us=start_us, spacing=None,
                    start_channel=0, start_distance=None, gauge=None, unit="count",
                    dtype="ibm_float32" if fi.bin[segyio.BinField.Format] == 1 else str(arr.dtype), data=arr)


def fbe(path):
    with h5py.File(path, "r") as h:
        acq = h["Acquisition"]
        node = acq["Processed/Fbe[0]"]
        bands = sorted([k for k in node.keys() if k.startswith("FbeData[")], key=lambda k: int(k[8:-1]))
        arr = node[bands[1]][()]
        spacing = f(acq.attrs["SpatialSamplingInterval"])
        return dict(rate=f(node.attrs["OutputDataRate"]), start_us=iso_us(node["FbeDataTime"].attrs["PartStartTime"]),
                    spacing=spacing, start_channel=int(f(node.attrs["StartLocusIndex"])),
                    start_distance=int(f(node.attrs["StartLocusIndex"])) * spacing, gauge=f(acq.attrs["GaugeLength"]),
                    unit=s(node.attrs["FbeDataUnit"]), dtype=str(arr.dtype), data=arr.T,
                    bands=[[float(node[b].attrs["StartFrequency"]), float(node[b].attrs["EndFrequency"])] for b in bands])


READERS = {
    "prodml_2.0.h5": prodml,
    "iDAS005_hdf5_example.626.h5": prodml,
    "iDAS005_tdms_example.626.tdms": tdms,
    "terra15_v5_test_file.hdf5": terra15,
    "febus_2.h5": febus,
    "ap_sensing_1.hdf5": ap_sensing,
    "decimated_optodas.hdf5": optodas,
    "small_channel_patch.sgy": segy,
    "prodml_fbe_1.h5": fbe,  # band 1 of the band-energy file
}


def positions(channels, samples):
    """Fixed (channel, time) positions: corners, middles and a stride through the grid."""
    out = {(0, 0), (channels - 1, samples - 1), (0, samples - 1), (channels - 1, 0), (channels // 2, samples // 2)}
    for k in range(40):
        out.add(((k * 7919) % channels, (k * 104729) % samples))
    return sorted(out)


def main():
    folder = Path(sys.argv[1])
    result = {}
    for name, reader in READERS.items():
        ref = reader(str(folder / name))
        data = np.asarray(ref.pop("data"), dtype=np.float64)
        channels, samples = data.shape
        ref.update(channels=channels, time_samples=samples,
                   channel_sums=[float(x) for x in np.nansum(data, axis=1)],
                   channel_squares=[float(x) for x in np.nansum(data * data, axis=1)],
                   channel_nans=[int(x) for x in np.isnan(data).sum(axis=1)],
                   values=[[c, t, None if np.isnan(data[c, t]) else float(data[c, t])]
                           for c, t in positions(channels, samples)])
        result[name] = ref
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
