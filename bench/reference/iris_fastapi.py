#!/usr/bin/python3
"""Reference server for bench/model-server-bench.sh: Iris over KServe V2 with FastAPI + uvicorn.

It does the same work per request as infergate's model server: parse the V2 JSON request, check the
input tensor, run the classifier (scikit-learn LogisticRegression, predict_proba) and serialise a V2
response of class probabilities. It is meant to be a fair baseline, not a straw man: the handler is
`async def` (no thread-pool hop), access logging is off (ours writes no line per request either), and
the request body is parsed with the standard json module rather than through a pydantic model.

Run with Debian's interpreter, which has the packages (python3 on PATH may be a pyenv build):

    /usr/bin/python3 bench/reference/iris_fastapi.py --port 9100 --workers 2 \
        --data model-server/data/iris.csv

That is `uvicorn iris_fastapi:app --workers 2 --no-access-log` with one fix, explained in main().

The model is trained at start-up in each uvicorn worker process (each has its own copy); the CSV
path reaches the workers through the IRIS_CSV environment variable because uvicorn re-imports
this module by name in every worker.
"""

import argparse
import csv
import json
import os
import socket
import sys

import numpy as np
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sklearn.linear_model import LogisticRegression

MODEL_NAME = "iris"
MODEL_VERSION = "1"
INPUT_NAME = "input"
OUTPUT_NAME = "output"
FEATURES = 4
DEFAULT_CSV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                           "model-server", "data", "iris.csv")


def load_iris(path):
    """Reads the Iris CSV (header row, four numeric columns, then the species label)."""
    rows, labels = [], []
    with open(path, newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for rec in reader:
            if len(rec) < FEATURES + 1:
                continue
            rows.append([float(v) for v in rec[:FEATURES]])
            labels.append(rec[FEATURES])
    return np.asarray(rows, dtype=np.float32), np.asarray(labels)


def train(path):
    x, y = load_iris(path)
    # max_iter raised because lbfgs on unscaled Iris features warns at the default 100.
    return LogisticRegression(max_iter=1000).fit(x, y)


app = FastAPI(title="iris reference", docs_url=None, redoc_url=None, openapi_url=None)
MODEL = None
CLASSES = []


@app.on_event("startup")
async def load_model():
    # Runs in each worker before it accepts connections, so ready means trained.
    global MODEL, CLASSES
    MODEL = train(os.environ.get("IRIS_CSV", DEFAULT_CSV))
    CLASSES = [str(c) for c in MODEL.classes_]


def error(status, message):
    return JSONResponse({"error": message}, status_code=status)


def plain_json(body, status=200):
    # Serialised once with json.dumps: returning a dict would send it through FastAPI's
    # jsonable_encoder first, extra work that is FastAPI's default, not the model's.
    return Response(json.dumps(body, separators=(",", ":")), status_code=status,
                    media_type="application/json")


@app.get("/v2/health/live")
async def live():
    return plain_json({"live": True})


@app.get("/v2/health/ready")
async def ready():
    return plain_json({"ready": True})


@app.get("/v2/models/" + MODEL_NAME)
async def metadata():
    return plain_json({
        "name": MODEL_NAME,
        "versions": [MODEL_VERSION],
        "platform": "sklearn",
        "inputs": [{"name": INPUT_NAME, "datatype": "FP32", "shape": [-1, FEATURES]}],
        "outputs": [{"name": OUTPUT_NAME, "datatype": "FP32", "shape": [-1, len(CLASSES)]}],
    })


@app.post("/v2/models/" + MODEL_NAME + "/infer")
async def infer(request: Request):
    try:
        body = json.loads(await request.body())
    except ValueError:
        return error(400, "malformed JSON")
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list) or len(inputs) != 1 or not isinstance(inputs[0], dict):
        return error(400, "expected exactly one input tensor")
    tensor = inputs[0]
    if tensor.get("name") != INPUT_NAME:
        return error(400, "unknown input '%s', expected '%s'" % (tensor.get("name"), INPUT_NAME))
    if tensor.get("datatype") != "FP32":
        return error(400, "input datatype must be FP32")
    shape = tensor.get("shape")
    if (not isinstance(shape, list) or len(shape) != 2 or shape[1] != FEATURES
            or not isinstance(shape[0], int) or shape[0] < 1):
        return error(400, "input shape must be [N, %d]" % FEATURES)
    try:
        x = np.asarray(tensor.get("data"), dtype=np.float32).reshape(shape[0], FEATURES)
    except (TypeError, ValueError):
        return error(400, "input data does not match shape %s" % shape)

    proba = MODEL.predict_proba(x).astype(np.float32)

    return plain_json({
        "model_name": MODEL_NAME,
        "model_version": MODEL_VERSION,
        "outputs": [{
            "name": OUTPUT_NAME,
            "shape": [int(shape[0]), len(CLASSES)],
            "datatype": "FP32",
            "data": proba.ravel().tolist(),
        }],
    })


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", default=DEFAULT_CSV, help="Iris CSV to train on")
    # Pinned rather than uvicorn's "auto", which silently switches to uvloop and httptools when
    # they happen to be installed: the baseline must not change with the machine's packages.
    parser.add_argument("--loop", default="asyncio", choices=["asyncio", "uvloop"])
    parser.add_argument("--http", default="h11", choices=["h11", "httptools"])
    args = parser.parse_args(argv)

    os.environ["IRIS_CSV"] = os.path.abspath(args.data)
    # Importable by name in the worker processes, whatever the caller's working directory.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    # uvicorn needs an import string, not the app object, to start more than one worker.
    config = uvicorn.Config("iris_fastapi:app", host=args.host, port=args.port,
                            workers=args.workers, loop=args.loop, http=args.http,
                            access_log=False, log_level="warning")
    server = uvicorn.Server(config)
    if args.workers == 1:
        server.run()
        return
    # What `uvicorn --workers N` does (the same Multiprocess supervisor), except that the listening
    # socket is created with proto=IPPROTO_TCP. uvicorn's Config.bind_socket() leaves proto at 0,
    # accepted sockets inherit it, and asyncio then skips TCP_NODELAY, so every keep-alive request
    # after the first waits ~40 ms for a delayed ACK (Kludex/uvicorn#3149). Left as is, the baseline
    # would measure Nagle's algorithm, not FastAPI: 23 req/s at one connection instead of thousands.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.set_inheritable(True)
    Multiprocess(config, target=server.run, sockets=[sock]).run()


if __name__ == "__main__":
    main(sys.argv[1:])
