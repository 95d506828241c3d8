"""Address parsing: the rule table of real-world variants, normalization, and its properties.

Each case is (text, expected components). Components not listed must be absent; the
unrecognised remainder (`rest`, `stray`) is not compared. On failure the whole list of failing cases
is printed, each with what was expected and what came out.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from recon.matching.address_normalize import normalize_address
from recon.matching.address_parse import parse_address

# fmt: off
PARSE_CASES: list[tuple[str, str]] = [
    ('浙江省杭州市钱塘区白杨街道东方社区学林街88号幸福家园3幢2单元1502室', "province=浙江省 city=杭州市 district=钱塘区 street=白杨街道 community=东方社区 road=学林街 door=88 compound=幸福家园 building=3 unit=2 room=1502"),
    ('浙江省 杭州市 钱塘区 白杨街道 东方社区 学林街88号 幸福家园 3幢 2单元 1502室', "province=浙江省 city=杭州市 district=钱塘区 street=白杨街道 community=东方社区 road=学林街 door=88 compound=幸福家园 building=3 unit=2 room=1502"),
    ('浙江杭州钱塘区白杨街道东方社区幸福家园3幢2单元1502室', "province=浙江 city=杭州 district=钱塘区 street=白杨街道 community=东方社区 compound=幸福家园 building=3 unit=2 room=1502"),
    ('杭州钱塘白杨街道幸福家园3幢2单元1502', "city=杭州 street=钱塘白杨街道 compound=幸福家园 building=3 unit=2 room=1502"),
    ('钱塘区白杨街道幸福家园3-2-1502', "district=钱塘区 street=白杨街道 compound=幸福家园 building=3 unit=2 room=1502"),
    ('白杨街道幸福家园３幢２单元１５０２室', "street=白杨街道 compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园三幢二单元一五零二室', "compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园三栋二单元1502', "compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园3号楼2单元1502室', "compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园3#2单元1502', "compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园3#楼2单元1502室', "compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园第三幢第二单元1502室', "compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园3幢2单元15楼1502室', "compound=幸福家园 building=3 unit=2 floor=15 room=1502"),
    ('幸福家园3幢2单元15层1502', "compound=幸福家园 building=3 unit=2 floor=15 room=1502"),
    ('幸福家园3幢2单元1502号', "compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园3幢2单元1502户', "compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园3幢2单元1502房', "compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园3-2-1502室', "compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园 3-2-1502', "compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园3—2—1502', "compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园3－2－1502', "compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园3 2 1502', "compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园3幢2-1502', "compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园3幢2单元幺五零二', "compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园十二幢一单元五零一', "compound=幸福家园 building=12 unit=1 room=501"),
    ('幸福家园12幢1单元501', "compound=幸福家园 building=12 unit=1 room=501"),
    ('幸福家园二十一幢三单元一一零二室', "compound=幸福家园 building=21 unit=3 room=1102"),
    ('学林街88号幸福家园3幢2单元1502室', "road=学林街 door=88 compound=幸福家园 building=3 unit=2 room=1502"),
    ('学林街88号3幢2单元1502室', "road=学林街 door=88 building=3 unit=2 room=1502"),
    ('学林街八十八号三幢二单元一五零二', "road=学林街 door=88 building=3 unit=2 room=1502"),
    ('学林街88号3-2-1502', "road=学林街 door=88 building=3 unit=2 room=1502"),
    ('幸福家园(学林街88号)3幢2单元1502室', "road=学林街 door=88 compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园（学林街88号）3-2-1502', "road=学林街 door=88 compound=幸福家园 building=3 unit=2 room=1502"),
    ('学林街88号(幸福家园)3-2-1502', "road=学林街 door=88 compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园学林街88号3幢2单元1502室', "road=学林街 door=88 compound=幸福家园 building=3 unit=2 room=1502"),
    ('白杨街道东方社区居委会幸福家园3幢2单元1502室', "street=白杨街道 community=东方社区 compound=幸福家园 building=3 unit=2 room=1502"),
    ('白杨街道东方社区居民委员会幸福家园3幢2单元1502室', "street=白杨街道 community=东方社区 compound=幸福家园 building=3 unit=2 room=1502"),
    ('白杨街道办事处东方社区幸福家园3幢2单元1502室', "street=白杨街道 community=东方社区 compound=幸福家园 building=3 unit=2 room=1502"),
    ('浙江省杭州市錢塘區白楊街道東方社區學林街88號幸福家園3幢2單元1502室', "province=浙江省 city=杭州市 district=钱塘区 street=白杨街道 community=东方社区 road=学林街 door=88 compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园3幢2单元1502室(出租房)', "compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园3幢2单元1502室附近', "compound=幸福家园 building=3 unit=2 room=1502"),
    ('幸福家园2-1502', "compound=幸福家园 building=2 room=1502"),
    ('幸福家园2幢1502', "compound=幸福家园 building=2 room=1502"),
    ('幸福家园2栋1502室', "compound=幸福家园 building=2 room=1502"),
    ('幸福家园A座1502', "compound=幸福家园 building=A room=1502"),
    ('幸福家园A幢2单元1502', "compound=幸福家园 building=A unit=2 room=1502"),
    ('幸福家园B栋1单元301', "compound=幸福家园 building=B unit=1 room=301"),
    ('幸福家园3A幢1502', "compound=幸福家园 building=3A room=1502"),
    ('幸福家园3幢', "compound=幸福家园 building=3"),
    ('幸福家园3幢2单元', "compound=幸福家园 building=3 unit=2"),
    ('幸福家园1502室', "compound=幸福家园 room=1502"),
    ('幸福家园', "compound=幸福家园"),
    ('金色家园1幢1单元101', "compound=金色家园 building=1 unit=1 room=101"),
    ('金沙湖花园二期10幢1单元1102室', "compound=金沙湖花园2期 building=10 unit=1 room=1102"),
    ('金沙湖花园2期10幢1单元1102', "compound=金沙湖花园2期 building=10 unit=1 room=1102"),
    ('金沙湖花园10幢1单元1102', "compound=金沙湖花园 building=10 unit=1 room=1102"),
    ('云水苑西区5幢2单元302室', "compound=云水苑西区 building=5 unit=2 room=302"),
    ('云水苑东区5-2-302', "compound=云水苑东区 building=5 unit=2 room=302"),
    ('万科城3期5栋2单元801', "compound=万科城3期 building=5 unit=2 room=801"),
    ('绿城桂花园桂香苑3幢1单元201', "compound=绿城桂花园桂香苑 building=3 unit=1 room=201"),
    ('杭州市西湖区文一路8号', "city=杭州市 district=西湖区 road=文1路 door=8"),
    ('文一路8号3幢101', "road=文1路 door=8 building=3 room=101"),
    ('宝安区西乡街道固戍社区东一巷12号', "district=宝安区 street=西乡街道 community=固戍社区 road=东1巷 door=12"),
    ('广东省深圳市宝安区西乡街道固戍社区东一巷12号301室', "province=广东省 city=深圳市 district=宝安区 street=西乡街道 community=固戍社区 road=东1巷 door=12 room=301"),
    ('西乡街道固戍社区东一巷12号之3', "street=西乡街道 community=固戍社区 road=东1巷 door=12-3"),
    ('固戍社区东一巷12号3楼', "community=固戍社区 road=东1巷 door=12 floor=3"),
    ('固戍社区东一巷12号301房', "community=固戍社区 road=东1巷 door=12 room=301"),
    ('固戍社区东1巷12-301', "community=固戍社区 road=东1巷 building=12 room=301"),
    ('固戍东一巷十二号三零一', "road=固戍东1巷 door=12 room=301"),
    ('宝安区新安街道上合社区上合新村3栋402', "district=宝安区 street=新安街道 community=上合社区 compound=上合新村 building=3 room=402"),
    ('上合新村3栋402', "compound=上合新村 building=3 room=402"),
    ('上合新村三栋四零二', "compound=上合新村 building=3 room=402"),
    ('上合新村3栋4楼402', "compound=上合新村 building=3 floor=4 room=402"),
    ('福田区沙头街道上沙社区上沙新村12栋301', "district=福田区 street=沙头街道 community=上沙社区 compound=上沙新村 building=12 room=301"),
    ('上沙村东区12栋301', "community=上沙村 compound=东区 building=12 room=301"),
    ('南山区粤海街道科技园社区科技中二路18号', "district=南山区 street=粤海街道 community=科技园社区 road=科技中2路 door=18"),
    ('龙华区民治街道白石龙社区白石龙一区12栋501', "district=龙华区 street=民治街道 community=白石龙社区 compound=白石龙1区 building=12 room=501"),
    ('民治街道白石龙一区12栋501', "street=民治街道 compound=白石龙1区 building=12 room=501"),
    ('坂田街道岗头社区岗头新村东区2巷5号', "street=坂田街道 community=岗头社区 road=东区2巷 door=5 compound=岗头新村"),
    ('岗头风门坳村七巷3号201', "community=岗头风门坳村 road=7巷 door=3 room=201"),
    ('杭州市钱塘区河庄街道江东村五组28号', "city=杭州市 district=钱塘区 street=河庄街道 community=江东村 group=5 door=28"),
    ('河庄街道江东村5组28号', "street=河庄街道 community=江东村 group=5 door=28"),
    ('江东村五组28号', "community=江东村 group=5 door=28"),
    ('江东村5组28号', "community=江东村 group=5 door=28"),
    ('江东村第五组28号', "community=江东村 group=5 door=28"),
    ('江东村第五村民小组28号', "community=江东村 group=5 door=28"),
    ('江东村5村民小组28号', "community=江东村 group=5 door=28"),
    ('江东村村委会五组28号', "community=江东村 group=5 door=28"),
    ('江东村28号', "community=江东村 door=28"),
    ('江东村五组二十八号', "community=江东村 group=5 door=28"),
    ('江东村5组28-1号', "community=江东村 group=5 door=28-1"),
    ('江东村5组28号之1', "community=江东村 group=5 door=28-1"),
    ('江东村5组28号301室', "community=江东村 group=5 door=28 room=301"),
    ('萧山区瓜沥镇航民村3组12号', "district=萧山区 street=瓜沥镇 community=航民村 group=3 door=12"),
    ('瓜沥镇航民村三组十二号', "street=瓜沥镇 community=航民村 group=3 door=12"),
    ('义蓬街道义南村12组56号', "street=义蓬街道 community=义南村 group=12 door=56"),
    ('义南村十二组五十六号', "community=义南村 group=12 door=56"),
    ('河庄街道新围社区新围路6号', "street=河庄街道 community=新围社区 road=新围路 door=6"),
    ('新围路6号', "road=新围路 door=6"),
    ('新围路六号', "road=新围路 door=6"),
    ('新围路6号新围家园1幢1单元101室', "road=新围路 door=6 compound=新围家园 building=1 unit=1 room=101"),
    ('新围家园1幢1单元101室', "compound=新围家园 building=1 unit=1 room=101"),
    ('下沙街道金沙湖社区（原江东村）金沙湖花园二期10幢1单元1102室', "street=下沙街道 community=金沙湖社区 compound=原江东村金沙湖花园2期 building=10 unit=1 room=1102"),
    ('杭州经济技术开发区白杨街道文一路8号', "city=杭州 district=经济技术开发区 street=白杨街道 road=文1路 door=8"),
    ('杭州经济技术开发区白杨街道幸福家园3幢2单元1502', "city=杭州 district=经济技术开发区 street=白杨街道 compound=幸福家园 building=3 unit=2 room=1502"),
    ('钱塘新区白杨街道幸福家园3幢2单元1502', "district=钱塘新区 street=白杨街道 compound=幸福家园 building=3 unit=2 room=1502"),
    ('上海市浦东新区张江镇祖冲之路88弄3号1502室', "province=上海市 district=浦东新区 street=张江镇 road=祖冲之路88弄 door=3 room=1502"),
    ('祖冲之路88弄3号1502室', "road=祖冲之路88弄 door=3 room=1502"),
    ('浦东新区张江镇祖冲之路88弄3号', "district=浦东新区 street=张江镇 road=祖冲之路88弄 door=3"),
    ('北京市朝阳区望京街道花家地北里2号院3号楼1单元502', "province=北京市 district=朝阳区 street=望京街道 door=2 compound=花家地北里 building=3 unit=1 room=502"),
    ('朝阳区花家地北里2号院3号楼1单元502', "district=朝阳区 door=2 compound=花家地北里 building=3 unit=1 room=502"),
    ('江苏省南京市鼓楼区湖南路街道湖南路1号', "province=江苏省 city=南京市 district=鼓楼区 street=湖南路街道 road=湖南路 door=1"),
    ('南京市鼓楼区中央路100号金陵大厦A座2001室', "city=南京市 district=鼓楼区 road=中央路 door=100 compound=金陵大厦 building=A room=2001"),
    ('金陵大厦A座2001', "compound=金陵大厦 building=A room=2001"),
    ('成都市武侯区红牌楼街道佳灵路5号红牌楼广场3栋2单元1204', "city=成都市 district=武侯区 street=红牌楼街道 road=佳灵路 door=5 compound=红牌楼广场 building=3 unit=2 room=1204"),
    ('广州市天河区天河南街道天河南一路10号', "city=广州市 district=天河区 street=天河南街道 road=天河南1路 door=10"),
    ('天河南一路10号天河花园B栋2101', "road=天河南1路 door=10 compound=天河花园 building=B room=2101"),
    ('武汉市洪山区关山街道光谷大道77号金融港B1栋1001', "city=武汉市 district=洪山区 street=关山街道 road=光谷大道 door=77 compound=金融港 building=B1 room=1001"),
    ('光谷大道77号金融港B1栋1001室', "road=光谷大道 door=77 compound=金融港 building=B1 room=1001"),
    ('苏州工业园区星海街188号', "city=苏州 district=工业园区 road=星海街 door=188"),
    ('西安市雁塔区丈八沟街道科技路48号创业广场B座1501', "city=西安市 district=雁塔区 street=丈八沟街道 road=科技路 door=48 compound=创业广场 building=B room=1501"),
    ('重庆市渝北区龙溪街道松石大道258号1栋3-1', "province=重庆市 district=渝北区 street=龙溪街道 road=松石大道 door=258 building=1 room=3-1"),
    ('松石大道258号1栋3-1', "road=松石大道 door=258 building=1 room=3-1"),
    ('长沙市岳麓区麓谷街道麓松路5号4栋1单元1001', "city=长沙市 district=岳麓区 street=麓谷街道 road=麓松路 door=5 building=4 unit=1 room=1001"),
    ('常州市武进区湖塘镇人民路88号2幢301', "city=常州市 district=武进区 street=湖塘镇 road=人民路 door=88 building=2 room=301"),
    ('湖塘镇人民路88号2幢301', "street=湖塘镇 road=人民路 door=88 building=2 room=301"),
    ('宁波市镇海区招宝山街道车站路5号3幢2单元501', "city=宁波市 district=镇海区 street=招宝山街道 road=车站路 door=5 building=3 unit=2 room=501"),
    ('镇海区招宝山街道车站路5号3幢2单元501', "district=镇海区 street=招宝山街道 road=车站路 door=5 building=3 unit=2 room=501"),
    ('镇海路5号3幢501', "road=镇海路 door=5 building=3 room=501"),
    ('龙湖天街3幢1101', "road=龙湖天街 building=3 room=1101"),
    ('水乡花园3幢201', "compound=水乡花园 building=3 room=201"),
    ('金街花园5幢301', "compound=金街花园 building=5 room=301"),
    ('府前路12号', "road=府前路 door=12"),
    ('城东路3号1幢201', "road=城东路 door=3 building=1 room=201"),
    ('科技园区路5号', "road=科技园区路 door=5"),
    ('新城大道66号阳光家园1幢1单元101', "road=新城大道 door=66 compound=阳光家园 building=1 unit=1 room=101"),
    ('金城东路8号', "road=金城东路 door=8"),
    ('东方社区12号301', "community=东方社区 door=12 room=301"),
    ('东方社区12栋301', "community=东方社区 building=12 room=301"),
    ('白杨街道东方社区12栋3单元301', "street=白杨街道 community=东方社区 building=12 unit=3 room=301"),
    ('五组28号', "group=5 door=28"),
    ('12号301', "door=12 room=301"),
    ('3-2-1502', "building=3 unit=2 room=1502"),
    ('学林街88号', "road=学林街 door=88"),
    ('学林街八十八号', "road=学林街 door=88"),
    ('学林街88号附近', "road=学林街 door=88"),
    ('白杨街道', "street=白杨街道"),
    ('东方社区', "community=东方社区"),
    ('杭州市钱塘区', "city=杭州市 district=钱塘区"),
    ('钱塘区白杨街道东方社区', "district=钱塘区 street=白杨街道 community=东方社区"),
    ('幸福家园3幢2单元1502室（东门进）', "compound=幸福家园 building=3 unit=2 room=1502"),
    ('ＸＩＮＧＦＵ小区3幢1502', "compound=XINGFU小区 building=3 room=1502"),
    ('SOHO国际公寓3幢1502', "compound=SOHO国际公寓 building=3 room=1502"),
    ('国际公寓A幢1502', "compound=国际公寓 building=A room=1502"),
    ('万达广场3号楼1502', "compound=万达广场 building=3 room=1502"),
    ('万达广场3号1502室', "compound=万达广场 building=3 room=1502"),
    ('阳光小区3号2单元501', "compound=阳光小区 building=3 unit=2 room=501"),
    ('阳光小区3号楼2单元501室', "compound=阳光小区 building=3 unit=2 room=501"),
    ('阳光小区3楼2单元501', "compound=阳光小区 building=3 unit=2 room=501"),
    ('阳光小区5楼502', "compound=阳光小区 floor=5 room=502"),
    ('阳光大厦5楼', "compound=阳光大厦 floor=5"),
    ('阳光大厦5楼502', "compound=阳光大厦 floor=5 room=502"),
    ('阳光大厦5F', "compound=阳光大厦 floor=5"),
    ('阳光大厦15F1502', "compound=阳光大厦 floor=15 room=1502"),
    ('阳光小区3幢楼502', "compound=阳光小区 building=3 room=502"),
    ('阳光小区3栋2单元5楼502', "compound=阳光小区 building=3 unit=2 floor=5 room=502"),
    ('阳光小区三号楼二单元五楼五零二', "compound=阳光小区 building=3 unit=2 floor=5 room=502"),
    ('阳光小区3-2-5-502', "compound=阳光小区 building=3 unit=2 floor=5 room=502"),
    ('阳光小区3-2-502室', "compound=阳光小区 building=3 unit=2 room=502"),
    ('阳光小区3幢2单元502室', "compound=阳光小区 building=3 unit=2 room=502"),
    ('阳光小区3-502', "compound=阳光小区 building=3 room=502"),
    ('阳光小区3幢502', "compound=阳光小区 building=3 room=502"),
    ('阳光小区3幢0502', "compound=阳光小区 building=3 room=502"),
    ('阳光小区03幢02单元0502', "compound=阳光小区 building=3 unit=2 room=502"),
    ('阳光小区叁幢贰单元伍零贰', "compound=阳光小区 building=3 unit=2 room=502"),
    ('阳光小区两幢一单元101', "compound=阳光小区 building=2 unit=1 room=101"),
    ('两路口社区阳光小区2幢101', "community=两路口社区 compound=阳光小区 building=2 room=101"),
    ('九堡街道三墩社区阳光小区2幢101', "street=九堡街道 community=三墩社区 compound=阳光小区 building=2 room=101"),
    ('三墩镇阳光小区2幢101', "street=三墩镇 compound=阳光小区 building=2 room=101"),
    ('五常街道五常社区五常大道8号', "street=五常街道 community=五常社区 road=五常大道 door=8"),
    ('五一路18号', "road=51路 door=18"),
    ('八一村3组12号', "community=八一村 group=3 door=12"),
    ('十里铺村5组8号', "community=十里铺村 group=5 door=8"),
    ('东新街道东新社区东新路1号', "street=东新街道 community=东新社区 road=东新路 door=1"),
    ('中山路1号之2', "road=中山路 door=1-2"),
    ('中山路一号之二', "road=中山路 door=1-2"),
    ('中山北路100-1号', "road=中山北路 door=100-1"),
    ('1-3-2-1502', "building=3 unit=2 room=1502"),
    ('钱塘区下沙街晨湾社翠聚路５１号天榆小曲３-１-１９０３', "district=钱塘区 street=下沙街 road=晨湾社翠聚路 door=51 compound=天榆小曲 building=3 unit=1 room=1903"),
    ('临江街桃新社新茗街30号1幢224室', "street=临江街 road=桃新社新茗街 door=30 building=1 room=224"),
    ('翠桐社14组116号', "compound=翠桐社 group=14 door=116"),
    ('下沙街道学林街88号', "street=下沙街道 road=学林街 door=88"),
    ('学林街幸福家园3幢', "street=学林街 compound=幸福家园 building=3"),
    ('宝安区燕罗街道湖亭社区富兴村一巷3号四零二房', "district=宝安区 street=燕罗街道 community=湖亭社区 road=富兴村1巷 door=3 room=402"),
    ('银泰大厦1501号', "compound=银泰大厦 room=1501"),
    ('中山街社区幸福家园3幢', "community=中山街社区 compound=幸福家园 building=3"),
]
# fmt: on

NORMALIZE_CASES: list[tuple[str, str]] = [
    ("浙江省杭州市錢塘區白楊街道", "浙江省杭州市钱塘区白杨街道"),  # traditional → simplified
    ("学林街８８号", "学林街88号"),  # full-width digits
    ("ａ座１５０２", "A幢1502"),  # full-width lower-case letter
    ("幸福家园 3 幢 2 单元", "幸福家园3幢2单元"),
    ("3 2 1502", "3-2-1502"),  # numbers separated by spaces keep their separation
    ("3.2.1502", "3-2-1502"),
    ("3—2—1502", "3-2-1502"),
    ("3一2一1502", "3-2-1502"),  # 一 typed as a dash between digits
    ("3~2~1502", "3-2-1502"),
    ("三栋", "3幢"),
    ("十二号", "12号"),
    ("一五零二室", "1502室"),
    ("幺零一", "101"),
    ("二十一层", "21层"),
    ("一千五百零二室", "1502室"),
    ("三百五号", "350号"),
    ("第三幢第二单元", "3幢2单元"),
    ("3号楼", "3幢"),
    ("3#楼", "3幢"),
    ("3#", "3幢"),
    ("A座", "A幢"),
    ("502户", "502室"),
    ("502房", "502室"),
    ("502号房", "502室"),
    ("15F", "15层"),
    ("88号之1", "88-1号"),
    ("东方社区居委会", "东方社区"),
    ("江东村村委会", "江东村"),
    ("五村民小组", "5组"),
    ("白杨街道办事处", "白杨街道"),
    ("三墩镇九堡街道五常社区", "三墩镇九堡街道五常社区"),  # numerals inside names stay
    ("两路口", "两路口"),
    ("中国浙江省", "浙江省"),
    ("幸福家园(东门)", "幸福家园东门"),
    ("3幢-2单元-1502室", "3幢2单元1502室"),
    ("", ""),
]

_ALPHABET = (
    "0123456789０１２３４５６７８９ABCab-—－~ #.,()（）"
    "零〇一二三四五六七八九十百千两幺壹贰叁"
    "号幢栋楼座单元室户房层组村社区街道路巷弄镇乡第之居委会小区花园家园新"
    "東區號樓單幸福金沙湖江下白杨"
)


def _show(rows: list[tuple]) -> str:
    return "\n".join("  " + " | ".join(map(str, r)) for r in rows)


def _components(text: str) -> dict[str, str]:
    return {k: v for k, v in parse_address(text).components().items() if v and k not in ("rest", "stray")}


def _expected(spec: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in spec.split())


def test_rule_table_has_at_least_150_variants() -> None:
    assert len(PARSE_CASES) >= 150
    assert len({t for t, _ in PARSE_CASES}) == len(PARSE_CASES)


def test_parse_rule_table() -> None:
    failures = []
    for text, spec in PARSE_CASES:
        got = _components(text)
        if got != _expected(spec):
            failures.append((text, "expected " + spec, "got " + " ".join(f"{k}={v}" for k, v in got.items())))
    assert not failures, f"{len(failures)} of {len(PARSE_CASES)} cases fail:\n" + _show(failures)


def test_normalize_rule_table() -> None:
    failures = [
        (t, want, normalize_address(t)) for t, want in NORMALIZE_CASES if normalize_address(t) != want
    ]
    assert not failures, "text | expected | got\n" + _show(failures)


def test_none_and_blank_normalize_to_empty() -> None:
    assert normalize_address(None) == ""
    assert normalize_address("   ") == ""
    assert parse_address(None).key == ""


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_normalize_is_idempotent_on_address_like_text(text: str) -> None:
    once = normalize_address(text)
    assert normalize_address(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_normalize_is_idempotent_on_any_text(text: str) -> None:
    once = normalize_address(text)
    assert normalize_address(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_parsing_never_fails_and_key_is_stable(text: str) -> None:
    parts = parse_address(text)
    assert parse_address(parts.norm) == parts
