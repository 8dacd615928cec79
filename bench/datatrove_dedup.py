"""datatrove's 4-stage MinHash dedup (signatures, buckets, clusters, filter) over JSON Lines files, for bench/run.py.

Runs inside the benchmark's own venv (datatrove is never a dependency of corpuslint) and prints one JSON object:
seconds per stage, documents read, and the cluster id of every document datatrove put in a duplicate cluster.

    bench/out/.venv-datatrove/bin/python bench/datatrove_dedup.py --input DIR --work DIR [--workers 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

from datatrove.executor.local import LocalPipelineExecutor
from datatrove.pipeline.dedup import MinhashDedupSignature
from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupBuckets, MinhashDedupCluster, MinhashDedupFilter
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers.jsonl import JsonlWriter


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    files = sorted(args.input.glob("*.jsonl"))
    config = MinhashConfig()  # datatrove's defaults: word 5-grams, 14 buckets x 8 hashes
    work = args.work

    def reader() -> JsonlReader:
        return JsonlReader(str(args.input), text_key="body", id_key="id", glob_pattern="*.jsonl")

    stages = {
        "signatures": LocalPipelineExecutor(
            pipeline=[reader(), MinhashDedupSignature(output_folder=str(work / "signatures"), config=config)],
            tasks=len(files),
            workers=args.workers,
            logging_dir=str(work / "logs" / "signatures"),
        ),
        "buckets": LocalPipelineExecutor(
            pipeline=[
                MinhashDedupBuckets(
                    input_folder=str(work / "signatures"), output_folder=str(work / "buckets"), config=config
                )
            ],
            tasks=config.num_buckets,
            workers=args.workers,
            logging_dir=str(work / "logs" / "buckets"),
        ),
        "clusters": LocalPipelineExecutor(
            pipeline=[
                MinhashDedupCluster(
                    input_folder=str(work / "buckets"),
                    output_folder=str(work / "remove_ids"),
                    config=config,
                    save_cluster_id=True,
                )
            ],
            tasks=1,
            logging_dir=str(work / "logs" / "clusters"),
        ),
        "filter": LocalPipelineExecutor(
            pipeline=[
                reader(),
                MinhashDedupFilter(
                    input_folder=str(work / "remove_ids"),
                    exclusion_writer=JsonlWriter(str(work / "removed")),
                    load_cluster_ids=True,
                ),
                JsonlWriter(str(work / "deduplicated")),
            ],
            tasks=len(files),
            workers=args.workers,
            logging_dir=str(work / "logs" / "filter"),
        ),
    }
    seconds: dict[str, float] = {}
    for name, executor in stages.items():
        started = time.perf_counter()
        executor.run()
        seconds[name] = time.perf_counter() - started
    clusters: dict[str, int] = {}
    documents = removed = 0
    for folder in ("deduplicated", "removed"):
        for path in sorted((work / folder).glob("*.jsonl*")):
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rt", encoding="utf-8") as handle:
                for line in handle:
                    record = json.loads(line)
                    documents += 1
                    removed += folder == "removed"
                    cluster = record.get("metadata", {}).get("minhash_cluster_id", -1)
                    if cluster != -1:
                        clusters[record["id"]] = cluster
    json.dump({"seconds": seconds, "documents": documents, "removed": removed, "clusters": clusters}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
