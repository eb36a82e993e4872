"""V4 as OSS accepts it: with `x-oss-date`, or with only `Date` (how Alibaba's Go
SDK V1, and so ossutil 1.x, signs V4: the string to sign carries the `Date`
header's RFC 1123 text, `oss/auth.go` `getSignedStrV4`). The signature is computed
by the official Python SDK's V4 signer steps (canonical request, string to sign,
HMAC chain); only the date header, and the time text signed, are the Go SDK's."""

import datetime
import http.client
from email.utils import format_datetime
from urllib.parse import urlsplit

import alibabacloud_oss_v2 as oss
from alibabacloud_oss_v2.credentials import Credentials
from alibabacloud_oss_v2.signer.v4 import SignerV4
from alibabacloud_oss_v2.types import HttpRequest, SigningContext

from conftest import AK, REGION, SK

M = oss.models


def send_signed_with(url, bucket, date_headers, secret=SK):
    """GET /<bucket>/?list-type=2, V4-signed with the given date headers only."""
    now = datetime.datetime.now(datetime.timezone.utc)
    iso = now.strftime("%Y%m%dT%H%M%SZ")
    headers = {"x-oss-content-sha256": "UNSIGNED-PAYLOAD"}
    if "date" in date_headers:
        headers["Date"] = format_datetime(now, True)
    if "x-oss-date" in date_headers:
        headers["x-oss-date"] = iso
    path = f"/{bucket}/?list-type=2"
    req = HttpRequest("GET", url + path, headers=headers)
    ctx = SigningContext(product="oss", region=REGION, bucket=bucket, request=req,
                         credentials=Credentials(AK, secret))
    signer = SignerV4()
    scope = signer._build_scope(date=iso[:8], region=REGION, product="oss")
    canonical = signer._calc_canonical_request(signing_ctx=ctx, additional_headers=set())
    # The Go SDK V1 signs the text of the header it sent: x-oss-date, else Date.
    stamp = iso if "x-oss-date" in date_headers else headers.get("Date", iso)
    to_sign = signer._calc_string_to_sign(stamp, scope, canonical)
    signature = signer._calc_signature(access_key_secrect=secret, date=iso[:8], region=REGION,
                                       product="oss", string_to_sign=to_sign)
    headers["Authorization"] = f"OSS4-HMAC-SHA256 Credential={AK}/{scope},Signature={signature}"
    host = urlsplit(url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    body = resp.read().decode()
    conn.close()
    return resp.status, resp.getheader("x-oss-ec"), body


def test_v4_with_only_a_date_header_is_accepted(emulator, v2, bucket_name):
    v2.put_bucket(M.PutBucketRequest(bucket=bucket_name))
    status, _, body = send_signed_with(emulator.url, bucket_name, {"date"})
    assert status == 200, body
    assert "<ListBucketResult>" in body
    status, _, body = send_signed_with(emulator.url, bucket_name, {"x-oss-date"})
    assert status == 200, body


def test_v4_without_any_date_or_with_a_wrong_secret_is_refused(emulator, v2, bucket_name):
    v2.put_bucket(M.PutBucketRequest(bucket=bucket_name))
    status, ec, body = send_signed_with(emulator.url, bucket_name, set())
    assert (status, ec) == (403, "0002-00000503"), body
    status, _, body = send_signed_with(emulator.url, bucket_name, {"date"}, secret="wrong")
    assert status == 403 and "SignatureDoesNotMatch" in body
