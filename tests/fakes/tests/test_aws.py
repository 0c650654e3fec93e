"""The ``aws`` fixture: moto in server mode behind the fault proxy, reached through the environment
as product code reaches AWS (boto3 with no endpoint, region or keys of its own)."""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, cast

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.fakes.aws import DLAMI_PARAMETER, AwsBackend, AwsFake, MotoServer

if TYPE_CHECKING:
    from types_boto3_ec2 import EC2Client
    from types_boto3_ec2.literals import InstanceTypeType
    from types_boto3_ec2.type_defs import RunInstancesRequestTypeDef
    from types_boto3_ssm import SSMClient

USER_DATA = "#!/bin/bash\nset -eu\necho 'runner up'\n"
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


@pytest.fixture
def ec2(aws: AwsFake) -> Iterator[EC2Client]:
    """EC2 as product code makes it: from the environment only; botocore's retries off."""
    with closing(boto3.client("ec2", config=NO_RETRIES)) as client:
        yield client


@pytest.fixture
def ssm(aws: AwsFake) -> Iterator[SSMClient]:
    with closing(boto3.client("ssm", config=NO_RETRIES)) as client:
        yield client


def launch_args(
    aws: AwsFake,
    instance_type: str = "g4dn.xlarge",
    zone: str = "us-east-1a",
    *,
    spot: bool = False,
) -> RunInstancesRequestTypeDef:
    """What `mlreport runner launch` sends (the parts the fake cares about)."""
    args: RunInstancesRequestTypeDef = {
        "ImageId": aws.gpu_ami,
        "InstanceType": cast("InstanceTypeType", instance_type),
        "MinCount": 1,
        "MaxCount": 1,
        "SubnetId": aws.subnets[zone],
        "UserData": USER_DATA,
        "InstanceInitiatedShutdownBehavior": "terminate",
        "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled"},
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/sda1",
                "Ebs": {"VolumeSize": 200, "VolumeType": "gp3", "DeleteOnTermination": True},
            }
        ],
        "TagSpecifications": [
            {"ResourceType": "instance", "Tags": [{"Key": "mlreport:managed", "Value": "true"}]},
            {"ResourceType": "volume", "Tags": [{"Key": "mlreport:managed", "Value": "true"}]},
        ],
    }
    if spot:
        args["InstanceMarketOptions"] = {
            "MarketType": "spot",
            "SpotOptions": {"SpotInstanceType": "one-time", "MaxPrice": "0.30"},
        }
    return args


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[int, str, str]:
    response = excinfo.value.response
    error = response.get("Error", {})
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return status, error.get("Code", ""), error.get("Message", "")


def test_environment_points_boto3_at_the_proxy(aws: AwsFake) -> None:
    assert os.environ["AWS_ENDPOINT_URL"] == aws.endpoint == aws.faults.url
    assert os.environ["AWS_REGION"] == os.environ["AWS_DEFAULT_REGION"] == aws.region == "us-east-1"
    session = boto3.session.Session()
    credentials = session.get_credentials()
    assert credentials is not None
    assert (credentials.access_key, credentials.secret_key, credentials.token) == (
        "testing",
        "testing",
        None,
    )
    assert session.region_name == "us-east-1"


def test_developer_settings_do_not_leak(
    aws_backend: AwsBackend, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.write_text("[default]\nregion = eu-west-3\nendpoint_url = http://192.0.2.1:9\n")
    credentials = tmp_path / "credentials"
    credentials.write_text("[default]\naws_access_key_id = AKIADEVELOPER\n")
    for name, value in {
        "AWS_PROFILE": "default",
        "AWS_ACCESS_KEY_ID": "AKIADEVELOPER",
        "AWS_SECRET_ACCESS_KEY": "developer-secret",
        "AWS_SESSION_TOKEN": "developer-token",
        "AWS_ENDPOINT_URL_EC2": "http://192.0.2.1:9",
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
    }.items():
        monkeypatch.setenv(name, value)

    aws = aws_backend.fresh(monkeypatch)

    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_EC2"):
        assert name not in os.environ
    assert os.environ["AWS_CONFIG_FILE"] == os.environ["AWS_SHARED_CREDENTIALS_FILE"] == os.devnull
    session = boto3.session.Session()
    found = session.get_credentials()
    assert found is not None
    assert (found.access_key, found.token) == ("testing", None)
    with closing(boto3.client("ec2", config=NO_RETRIES)) as ec2:
        assert ec2.meta.endpoint_url == aws.endpoint
        assert ec2.meta.region_name == "us-east-1"
        ec2.describe_instances()
    assert aws.faults.actions == ["ec2:DescribeInstances"]


def test_run_instances_reaches_moto(aws: AwsFake, ec2: EC2Client) -> None:
    reservation = ec2.run_instances(**launch_args(aws, zone="us-east-1b", spot=True))
    instance_id = reservation["Instances"][0]["InstanceId"]

    (instance,) = aws.managed_running()
    assert instance.id == instance_id
    assert (instance.instance_type, instance.zone, instance.subnet_id) == (
        "g4dn.xlarge",
        "us-east-1b",
        aws.subnets["us-east-1b"],
    )
    assert (instance.image_id, instance.market) == (aws.gpu_ami, "spot")
    assert instance.tags == {"mlreport:managed": "true"}
    assert aws.user_data(instance_id) == USER_DATA
    # What moto records of the other launch settings, for tests of `runner launch` to assert:
    assert instance.raw["MetadataOptions"]["HttpTokens"] == "required"
    shutdown = aws.ec2.describe_instance_attribute(
        InstanceId=instance_id, Attribute="instanceInitiatedShutdownBehavior"
    )
    assert shutdown["InstanceInitiatedShutdownBehavior"]["Value"] == "terminate"
    (mapping,) = instance.raw["BlockDeviceMappings"]
    assert mapping["Ebs"]["DeleteOnTermination"] is True
    (volume,) = aws.volumes(instance_id)
    assert (volume["Size"], volume["VolumeType"]) == (200, "gp3")
    assert volume["TagsDict"] == {"mlreport:managed": "true"}

    (call,) = aws.faults.run_instances_calls
    assert call["Action"] == "RunInstances"
    assert call["InstanceMarketOptions.MarketType"] == "spot"
    assert base64.b64decode(call["UserData"]).decode() == USER_DATA
    assert aws.faults.actions == ["ec2:RunInstances"]

    ec2.terminate_instances(InstanceIds=[instance_id])
    assert aws.managed_running() == []
    assert [i.state for i in aws.instances(tag={"mlreport:managed": "true"})] == ["terminated"]
    assert aws.volumes() == []  # DeleteOnTermination: moto deletes the volume with the instance


def test_moto_validates_instance_types_and_amis(aws: AwsFake, ec2: EC2Client) -> None:
    with pytest.raises(ClientError) as excinfo:
        ec2.run_instances(**launch_args(aws, instance_type="g4dn.huge"))
    assert error_of(excinfo)[1:] == (
        "InvalidInstanceType.NotFound",
        "The instance type 'g4dn.huge' does not exist",
    )
    unknown_ami = launch_args(aws)
    unknown_ami["ImageId"] = "ami-0123456789abcdef0"
    with pytest.raises(ClientError) as excinfo:
        ec2.run_instances(**unknown_ami)
    assert error_of(excinfo)[1] == "InvalidAMIID.NotFound"
    assert aws.instances() == []

    ec2.run_instances(**launch_args(aws, instance_type="g4dn.xlarge"))
    assert len(aws.managed_running()) == 1


def test_capacity_fault_fires_n_times_then_stops(aws: AwsFake, ec2: EC2Client) -> None:
    rule = aws.faults.fail_run_instances(
        "InsufficientInstanceCapacity", instance_type="g4dn.xlarge", zone="us-east-1a", times=2
    )
    for _ in range(2):
        with pytest.raises(ClientError) as excinfo:
            ec2.run_instances(**launch_args(aws, zone="us-east-1a"))
        assert error_of(excinfo) == (
            500,
            "InsufficientInstanceCapacity",
            "We currently do not have sufficient g4dn.xlarge capacity in the Availability Zone you "
            "requested (us-east-1a). Our system will be working on provisioning additional "
            "capacity. You can currently get g4dn.xlarge capacity by not specifying an "
            "Availability Zone in your request or choosing us-east-1b, us-east-1c, us-east-1d, "
            "us-east-1f.",  # not us-east-1e: no g4dn there
        )
        assert aws.instances() == []
    ec2.run_instances(**launch_args(aws, zone="us-east-1a"))
    assert rule.fired == 2
    assert len(aws.managed_running()) == 1
    assert len(aws.faults.run_instances_calls) == 3


def test_rules_filter_and_calls_are_recorded_in_order(aws: AwsFake, ec2: EC2Client) -> None:
    faults = aws.faults
    faults.fail_run_instances("InsufficientInstanceCapacity", market="spot")
    faults.fail_run_instances(
        "Unsupported", instance_type="g5.xlarge", subnet_id=aws.subnets["us-east-1e"]
    )
    faults.fail_run_instances("InsufficientInstanceCapacity", zone="us-east-1a")
    faults.fail_run_instances("InsufficientInstanceCapacity", zone="us-east-1b")
    candidates = [
        ("g4dn.xlarge", "us-east-1a", True),
        ("g5.xlarge", "us-east-1e", False),
        ("g4dn.xlarge", "us-east-1a", False),
        ("g5.xlarge", "us-east-1c", False),
    ]
    errors = []
    for instance_type, zone, spot in candidates:
        try:
            ec2.run_instances(**launch_args(aws, instance_type, zone, spot=spot))
        except ClientError as exc:
            errors.append(exc.response.get("Error", {}).get("Message", ""))
        else:
            break

    assert [
        (c["InstanceType"], c["SubnetId"], c.get("InstanceMarketOptions.MarketType", "on-demand"))
        for c in faults.run_instances_calls
    ] == [
        ("g4dn.xlarge", aws.subnets["us-east-1a"], "spot"),
        ("g5.xlarge", aws.subnets["us-east-1e"], "on-demand"),
        ("g4dn.xlarge", aws.subnets["us-east-1a"], "on-demand"),
        ("g5.xlarge", aws.subnets["us-east-1c"], "on-demand"),
    ]
    assert errors == [
        "There is no Spot capacity available that matches your request.",
        "Your requested instance type (g5.xlarge) is not supported in your requested Availability "
        "Zone (us-east-1e). Please retry your request by not specifying an Availability Zone or "
        "choosing us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1f.",
        # zones with a capacity rule of their own are not offered
        "We currently do not have sufficient g4dn.xlarge capacity in the Availability Zone you "
        "requested (us-east-1a). Our system will be working on provisioning additional capacity. "
        "You can currently get g4dn.xlarge capacity by not specifying an Availability Zone in your "
        "request or choosing us-east-1c, us-east-1d, us-east-1f.",
    ]
    (instance,) = aws.managed_running()
    assert (instance.instance_type, instance.zone) == ("g5.xlarge", "us-east-1c")


def test_zones_that_do_not_offer_the_type_answer_unsupported(aws: AwsFake, ec2: EC2Client) -> None:
    """As EC2 does; moto itself only checks that the region offers the type."""
    with pytest.raises(ClientError) as excinfo:
        ec2.run_instances(**launch_args(aws, "g4dn.xlarge", "us-east-1e"))
    assert error_of(excinfo) == (
        400,
        "Unsupported",
        "Your requested instance type (g4dn.xlarge) is not supported in your requested "
        "Availability Zone (us-east-1e). Please retry your request by not specifying an "
        "Availability Zone or choosing us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1f.",
    )
    assert aws.instances() == []
    ec2.run_instances(**launch_args(aws, "t2.micro", "us-east-1e"))
    aws.faults.offered_zones = None  # no check
    ec2.run_instances(**launch_args(aws, "g4dn.xlarge", "us-east-1e"))
    assert [(i.instance_type, i.zone) for i in aws.instances()] == [
        ("t2.micro", "us-east-1e"),
        ("g4dn.xlarge", "us-east-1e"),
    ]


def test_subnet_in_a_network_interface_and_other_codes(aws: AwsFake, ec2: EC2Client) -> None:
    faults = aws.faults
    faults.fail_run_instances("SpotMaxPriceTooLow", subnet_id=aws.subnets["us-east-1d"], times=1)
    faults.fail_run_instances("MaxSpotInstanceCountExceeded", market="spot", times=1)
    faults.fail_run_instances("VcpuLimitExceeded", instance_type="p4d.24xlarge", times=1)
    faults.fail_run_instances("InsufficientHostCapacity", times=1, message="No hosts.")

    def args(instance_type: str = "g4dn.xlarge") -> RunInstancesRequestTypeDef:
        """The subnet given in a network interface instead of SubnetId."""
        args = launch_args(aws, instance_type, spot=True)
        del args["SubnetId"]
        args["NetworkInterfaces"] = [{"DeviceIndex": 0, "SubnetId": aws.subnets["us-east-1d"]}]
        return args

    answers = []
    for instance_type in ("g4dn.xlarge", "g4dn.xlarge", "p4d.24xlarge", "g4dn.xlarge"):
        with pytest.raises(ClientError) as excinfo:
            ec2.run_instances(**args(instance_type))
        answers.append(error_of(excinfo))

    assert answers == [
        (
            400,
            "SpotMaxPriceTooLow",
            "Your Spot request price of 0.30 is lower than the minimum required Spot request "
            "fulfillment price of 0.6.",
        ),
        (400, "MaxSpotInstanceCountExceeded", "Max spot instance count exceeded"),
        (
            400,
            "VcpuLimitExceeded",
            "You have requested more vCPU capacity than your current vCPU limit of 0 allows for "
            "the instance bucket that the specified instance type belongs to. Please visit "
            "http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this "
            "limit.",
        ),
        (400, "InsufficientHostCapacity", "No hosts."),
    ]
    assert [c["NetworkInterface.1.SubnetId"] for c in faults.run_instances_calls] == [
        aws.subnets["us-east-1d"]
    ] * 4
    ec2.run_instances(**args())  # every rule is used up
    (instance,) = aws.managed_running()
    assert (instance.zone, instance.market) == ("us-east-1d", "spot")


def test_botocore_retries_capacity_errors(aws: AwsFake) -> None:
    """InsufficientInstanceCapacity is a 500: botocore's retry modes try again, and each attempt
    reaches the proxy (a product that moves on to the next candidate turns retries off)."""
    rule = aws.faults.fail_run_instances("InsufficientInstanceCapacity", times=1)
    config = Config(retries={"mode": "standard", "total_max_attempts": 2})
    with closing(boto3.client("ec2", config=config)) as ec2:
        reservation = ec2.run_instances(**launch_args(aws))
    assert reservation["ResponseMetadata"].get("RetryAttempts") == 1
    assert rule.fired == 1
    assert len(aws.faults.run_instances_calls) == 2


def test_public_ssm_parameter(aws: AwsFake, ssm: SSMClient) -> None:
    parameter = ssm.get_parameter(Name=DLAMI_PARAMETER)["Parameter"]
    assert parameter.get("Value") == aws.gpu_ami
    assert parameter.get("Type") == "String"
    assert parameter.get("ARN") == f"arn:aws:ssm:us-east-1::parameter{DLAMI_PARAMETER}"
    assert parameter.get("Version") == 1
    modified = parameter.get("LastModifiedDate")
    assert modified is not None
    assert abs(modified.timestamp() - time.time()) < 60

    aws.faults.public_parameter(DLAMI_PARAMETER, "ami-0fedcba9876543210", version=2)
    assert ssm.get_parameter(Name=DLAMI_PARAMETER)["Parameter"].get("Version") == 2

    # Everything else is moto's: other names under /aws are unknown, and reserved for AWS.
    other = DLAMI_PARAMETER.replace("22.04", "20.04")
    with pytest.raises(ClientError) as excinfo:
        ssm.get_parameter(Name=other)
    assert error_of(excinfo)[:2] == (400, "ParameterNotFound")
    with pytest.raises(ClientError) as excinfo:
        ssm.put_parameter(Name=other, Value="ami-1", Type="String")
    assert error_of(excinfo)[1] == "AccessDeniedException"
    ssm.put_parameter(Name="/mlreport/ami", Value="ami-2", Type="String")
    assert ssm.get_parameter(Name="/mlreport/ami")["Parameter"].get("Value") == "ami-2"
    assert aws.faults.actions == [
        "ssm:GetParameter",
        "ssm:GetParameter",
        "ssm:GetParameter",
        "ssm:PutParameter",
        "ssm:PutParameter",
        "ssm:GetParameter",
    ]


def test_reset_isolates_tests(
    aws: AwsFake, ec2: EC2Client, aws_backend: AwsBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    ec2.run_instances(**launch_args(aws))
    aws.faults.fail_run_instances("InsufficientInstanceCapacity")
    aws.faults.public_parameter("/aws/service/other", "x")
    old_subnets, old_ami = aws.subnets, aws.gpu_ami

    fresh = aws_backend.fresh(monkeypatch)

    assert fresh.instances() == []
    assert fresh.faults.run_instances_calls == []
    assert fresh.faults.actions == []
    assert fresh.subnets.keys() == old_subnets.keys()
    assert fresh.subnets != old_subnets  # moto makes new default VPCs after a reset
    assert fresh.gpu_ami != old_ami
    assert [i["ImageId"] for i in fresh.ec2.describe_images()["Images"]] == [fresh.gpu_ami]
    ec2.run_instances(**launch_args(fresh))  # the capacity rule is gone
    with closing(boto3.client("ssm", config=NO_RETRIES)) as ssm, pytest.raises(ClientError):
        ssm.get_parameter(Name="/aws/service/other")


def test_moto_servers_in_one_process_share_state(aws: AwsFake, ec2: EC2Client) -> None:
    """moto keeps its backends in module globals: another MotoServer in this process (own port)
    serves the same resources, and its reset empties the session's server too."""
    ec2.run_instances(**launch_args(aws))
    with MotoServer() as other:
        assert other.port != aws.moto.port
        session = boto3.session.Session("testing", "testing", region_name="us-east-1")
        with closing(session.client("ec2", endpoint_url=other.url, config=NO_RETRIES)) as direct:
            reservations = direct.describe_instances()["Reservations"]
        assert [i["InstanceId"] for r in reservations for i in r["Instances"]] == [
            i.id for i in aws.instances()
        ]
        other.reset()
    assert aws.instances() == []
