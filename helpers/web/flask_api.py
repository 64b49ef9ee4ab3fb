"""The satellite API on Flask: routes as decorated functions, errors turned into JSON by handlers."""
import logging

from flask import Flask, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from helpers.web.api import DRAIN, MAX_BODY, not_found, too_big, validation_detail
from helpers.web.catalogue import NewSatellite, Query
from helpers.web.keys import HEADER

logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request lines on the notebook's stderr


def flask_app(api, stats):
    """A Flask app serving api (an Api), counting requests in stats."""
    app = Flask("satellites")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY

    @app.before_request
    def check_key():
        stats.add(messages=1)
        refusal = api.keys.check(request.headers.get(HEADER), "write" if request.method == "POST" else "read")
        if refusal:
            return jsonify(detail=refusal.detail), refusal.status, refusal.headers

    @app.get("/v1/satellites")
    def list_satellites():
        query = Query.model_validate(request.args.to_dict())
        return api.catalogue.page(query).model_dump()

    @app.get("/v1/satellites/<int:number>")
    def get_satellite(number):
        found = api.catalogue.get(number)
        return found.model_dump() if found else ({"detail": not_found(number)}, 404)

    @app.post("/v1/satellites")
    def add_satellite():
        new = NewSatellite.model_validate_json(request.get_data())
        return api.catalogue.add(new).model_dump(), 201

    @app.errorhandler(ValidationError)
    def invalid(error):
        where = "query" if request.method == "GET" else "body"
        return {"detail": validation_detail(error, where)}, 422

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        size = request.content_length or 0
        left = min(size, DRAIN)  # read and drop the body, so the client can read the answer
        while left > 0 and (chunk := request.environ["wsgi.input"].read(min(left, 65536))):
            left -= len(chunk)
        return {"detail": too_big(size)}, 413

    @app.errorhandler(HTTPException)
    def http_error(error):
        return {"detail": error.description}, error.code

    return app
