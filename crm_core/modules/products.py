"""产品: the customised build of a base software version that a customer runs."""

from crm_core.i18n import Text
from crm_core.metadata import EntitySpec, Field, FieldType as T
from crm_core.models import Product
from crm_core.services.entity import EntityService

SPEC = EntitySpec(
    module="products",
    label=Text("产品", "Product"),
    model=Product,
    fields=(
        Field("customer_id", Text("客户", "Customer"), T.REF, ref="customers", required=True),
        Field("name", Text("产品名称", "Product name"), required=True, max_length=100),
        Field("product_version", Text("版本", "Version"), max_length=40),
        Field("description", Text("产品描述", "Description"), T.MULTILINE, max_length=4000, in_grid=False),
        Field("customization_notes", Text("特殊定制注释", "Customisation notes"), T.MULTILINE,
              max_length=4000, in_grid=False),
        Field("backup_path", Text("备份路径", "Backup path"), max_length=500, in_grid=False),
        Field("manual_path", Text("使用说明文档路径", "User manual path"), max_length=500, in_grid=False),
        Field("license_code", Text("授权编码", "License code"), max_length=60),
    ),
    title_field="name",
    grid_sorts=("customer_id", "id"),
    search_fields=("name", "product_version", "license_code"),
)


class ProductService(EntityService):
    spec = SPEC
