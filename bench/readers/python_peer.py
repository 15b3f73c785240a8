"""Python peer of ReaderBench: reads the same files into numpy with h5py / npTDMS / segyio (one core), RUNS times
after WARMUP untimed reads; prints "file library samples median_seconds samples_per_second" per file."""
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import segyio
from nptdms import TdmsFile

DATASETS = {
    "prodml_2.0.h5": "Acquisition/Raw[0]/RawData",
    "iDAS005_hdf5_example.626.h5": "Acquisition/Raw[0]/RawData",
    "terra15_v5_test_file.hdf5": "data_product/data",
    "febus_2.h5": None,  # the single zone dataset, found below
    "ap_sensing_1.hdf5": "DAS",
    "decimated_optodas.hdf5": "data",
}


def read(path):
    name = path.name
    if name.endswith(".tdms"):
        t = TdmsFile.read(str(path))
        return "npTDMS", np.stack([c[:] for c in t.groups()[0].channels()])
    if name.endswith(".sgy"):
        with segyio.open(str(path), ignore_geometry=True) as f:
            return "segyio", segyio.tools.collect(f.trace[:])
    with h5py.File(path, "r") as h:
        key = DATASETS[name]
        if key is None:
            dev = h[list(h)[0]]
            src = dev[[k for k in dev if k.startswith("Source")][0]]
            zone = src[[k for k in src if k != "time"][0]]
            key = zone[list(zone)[0]].name
        return "h5py", h[key][()]


def main():
    folder, runs, warmup = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    for name in sys.argv[4:]:
        times = []
        for k in range(warmup + runs):
            t0 = time.perf_counter()
            lib, data = read(folder / name)
            if k >= warmup:
                times.append(time.perf_counter() - t0)
        median = sorted(times)[runs // 2]
        print(f"{name} {lib} {data.size} {median:.6f} {data.size / median:.0f}")


if __name__ == "__main__":
    main()
