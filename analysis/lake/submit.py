"""The analysis job as spark-submit runs it on a cluster (docs/cluster.md).

    spark-submit --master yarn --deploy-mode cluster \\
        --archives flankwatch-env.tar.gz#environment \\
        --conf spark.pyspark.python=./environment/bin/python \\
        "$(python -c 'import analysis.lake.submit as m; print(m.__file__)')" \\
        --input /mnt/lake/items --output /mnt/lake/analysed

The master, executors and memory come from spark-submit; the job is `flankwatch analyze --engine
spark`'s (analysis/lake/spark.py). Exit status 2 with a one-line error on bad input.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="analysis/lake/submit.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", required=True, help="the lake whose items to analyse")
    parser.add_argument("--output", required=True, help="the new lake to write")
    parser.add_argument("--model", help="model file (default: the shipped one)")
    args = parser.parse_args(argv)

    from pyspark.sql import SparkSession

    from analysis.lake.errors import LakeError
    from analysis.lake.spark import analyze_lake_spark
    from analysis.modelfile import ModelFileError

    spark = SparkSession.builder.appName("flankwatch analyze").getOrCreate()
    try:
        print(analyze_lake_spark(args.input, args.output, model_path=args.model, spark=spark))
    except (LakeError, ModelFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
